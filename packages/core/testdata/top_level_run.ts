// A script that exports an actor and also runs a live pipeline at top level, unguarded: a Worker
// that imports it to build the actor runs that pipeline again, and it never ends.
import { DataSource } from "../actors/data_source.ts";
import { NullSink } from "../actors/null_sink.ts";
import { Pipeline } from "../runtime/pipeline.ts";

export { MathActor } from "./worker_actors.ts";

await new Pipeline().pipe(new DataSource({ fps: 10 }), new NullSink()).run();
