// A stand-in OpenAI upstream for the local demo (`npm start` without UPSTREAM_BASE_URL):
// serves the models `demo-chat` (chat completions and responses), `demo-routed`, `demo-embedding`
// and `demo-claude` (Anthropic's Messages API) on FAKE_UPSTREAM_PORT (default 3900); each
// instance (`/<name>/v1`) behaves as `POST /control/<name>` says (fake-behaviour.ts). Not for
// production.
import { startFakeUpstream } from './fake-upstream';

async function main(): Promise<void> {
  const fake = await startFakeUpstream(Number(process.env.FAKE_UPSTREAM_PORT ?? 3900));
  fake.models.set('demo-chat', {
    chunks: ['Hello', ' from', ' the', ' demo', ' upstream', '.'],
    usage: { prompt_tokens: 24, completion_tokens: 6 },
    chunkDelayMs: 50,
  });
  // Served by every instance (`/<name>/v1`: the deployments demo-east and demo-west of npm start).
  fake.models.set('demo-routed', {
    chunks: ['Hello', ' from', ' a', ' routed', ' deployment', '.'],
    usage: { prompt_tokens: 24, completion_tokens: 6 },
  });
  fake.models.set('demo-embedding', {
    chunks: [],
    usage: { prompt_tokens: 3, completion_tokens: 0 },
  });
  fake.models.set('demo-claude', {
    chunks: ['Hello', ' from', ' the', ' demo', ' Claude', '.'],
    usage: { prompt_tokens: 12, completion_tokens: 6 },
    cache: { read: 40, write: 10 },
  });
  console.log(
    `fake upstream serving demo-chat, demo-routed, demo-embedding and demo-claude at ${fake.url}`,
  );
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
