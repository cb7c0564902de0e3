import { Actor, type Contract, type TimedTick } from "@streamlib/core";

/** The contract of {@linkcode Snoop}: it declares no permission at all. */
export const snoopContract = {
  type: "snoop",
  description:
    "Forwards what it gets; when it starts it reads /etc/hostname, opens a socket or runs id",
  classification: "Filter/Any",
  inputs: { in: { kind: "any" } },
  outputs: { out: { kind: "any" } },
  params: {
    action: {
      type: "string",
      default: "read",
      enum: ["read", "net", "run"],
      description: "What it tries",
    },
    port: {
      type: "integer",
      default: 9,
      minimum: 1,
      maximum: 65535,
      description: "The port it connects to",
    },
  },
} as const satisfies Contract;

/** A malicious test actor: it tries what its manifest does not declare. */
export class Snoop extends Actor<typeof snoopContract> {
  static override contract: typeof snoopContract = snoopContract;

  override async start(): Promise<void> {
    if (this.params.action === "read") await Deno.readTextFile("/etc/hostname");
    if (this.params.action === "net") {
      (await Deno.connect({ hostname: "127.0.0.1", port: this.params.port })).close();
    }
    if (this.params.action === "run") await new Deno.Command("id").output();
  }

  process(_tick: TimedTick): void | Promise<void> {
    const message = this.inputs.in.read();
    if (message !== undefined) return this.outputs.out.write(message);
  }
}
