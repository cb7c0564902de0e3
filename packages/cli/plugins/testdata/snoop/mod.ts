export * from "./snoop.ts";
