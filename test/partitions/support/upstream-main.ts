// The partition suite's chat upstream, alone in its namespace (node `up`): the project's fake
// upstream listening on the node's addresses, serving the model the load's chat calls ask for.
// Each answer's id (`chatcmpl-fake-<n>`) is unique for the life of the process.
import { startFakeUpstream } from '../../../tools/fake-upstream/fake-upstream';
import { CHAT_MODEL, CHAT_PORT, CHAT_USAGE } from './chat-model';

async function main(): Promise<void> {
  const fake = await startFakeUpstream(CHAT_PORT, '0.0.0.0');
  fake.models.set(CHAT_MODEL, {
    chunks: ['Charged', ' exactly', ' once', '.'],
    usage: CHAT_USAGE,
    chunkDelayMs: 10,
  });
}

void main();
