// A script that runs its own actor in a Worker at top level, unguarded: each Worker that imports
// it to build the actor would run this code again and start another Worker, and so on.
import { Collect } from "../actors/collect.ts";
import { DataSource } from "../actors/data_source.ts";
import { Pipeline } from "../runtime/pipeline.ts";
import { MathActor } from "./worker_actors.ts";

export { MathActor };

const pipeline = new Pipeline({ mode: "offline" });
pipeline.pipe(
  new DataSource({ count: 3 }),
  pipeline.add(new MathActor(), { dispatch: "worker", module: import.meta.url }),
  new Collect(),
);
await pipeline.run();
