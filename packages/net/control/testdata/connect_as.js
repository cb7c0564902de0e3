// deno-lint-ignore-file no-console -- a test program: it reports on stdout
// Tries to open the Unix socket in the first argument; prints how that went. Run as another
// user by the access tests, with nothing but this file and Deno.
const path = Deno.args[0];
try {
  const connection = await Deno.connect({ transport: "unix", path });
  connection.close();
  console.log("connected");
} catch (error) {
  console.log(`refused ${error.name}: ${error.message}`);
}
