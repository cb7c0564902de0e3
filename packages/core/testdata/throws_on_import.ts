// A module that must never be imported by listing or describing its actor type.
throw new Error("imported too early");
