// A stand-in OpenAI upstream for the local demo (`npm start` without UPSTREAM_BASE_URL):
// serves the models `demo-chat` (chat completions and responses) and `demo-embedding` on
// FAKE_UPSTREAM_PORT (default 3900). Not for production.
import { startFakeUpstream } from './fake-upstream';

async function main(): Promise<void> {
  const fake = await startFakeUpstream(Number(process.env.FAKE_UPSTREAM_PORT ?? 3900));
  fake.models.set('demo-chat', {
    chunks: ['Hello', ' from', ' the', ' demo', ' upstream', '.'],
    usage: { prompt_tokens: 24, completion_tokens: 6 },
    chunkDelayMs: 50,
  });
  fake.models.set('demo-embedding', {
    chunks: [],
    usage: { prompt_tokens: 3, completion_tokens: 0 },
  });
  console.log(`fake upstream serving demo-chat and demo-embedding at ${fake.url}`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
