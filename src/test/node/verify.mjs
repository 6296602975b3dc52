// Reads {"secret","headers":{...},"body":"..."} on stdin and verifies the delivery with the Standard
// Webhooks library: prints the parsed payload's id and exits 0 when it verifies, exits 1 otherwise.
import { Webhook } from "standardwebhooks";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { secret, headers, body } = JSON.parse(input);
try {
  const payload = new Webhook(secret).verify(body, headers);
  console.log(`verified ${payload.id}`);
} catch (e) {
  console.log(`refused: ${e.message}`);
  process.exit(1);
}
