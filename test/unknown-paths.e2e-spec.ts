import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { RunningApp, startCreditStore, startGateway } from './support/apps';

/**
 * A client pointed at the wrong place reads why: every path the gateway does not serve answers
 * 404 in the error shape its client reads, saying where the call should go.
 */
describe('unknown paths on the gateway', () => {
  let gateway: RunningApp;
  let store: RunningApp;
  const apiKey = 'sk-tally-not-needed-to-be-told-the-path';

  beforeAll(async () => {
    gateway = await startGateway();
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });

  it('tells an OpenAI client whose base URL lacks /v1 to add it (the official SDK reads it)', async () => {
    const openai = new OpenAI({ apiKey, baseURL: gateway.url, maxRetries: 0 });
    const failure = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    const error = failure as InstanceType<typeof OpenAI.NotFoundError>;
    expect(error.status).toBe(404);
    expect(error.message).toContain('use POST /v1/chat/completions');
    expect(error.message).toContain(`base URL should end in /v1, e.g. ${gateway.url}/v1`);
    expect(error.code).toBe('not_found');
    expect(error.type).toBe('invalid_request_error');

    const embeddings = await post('/embeddings');
    expect(embeddings.status).toBe(404);
    expect(await embeddings.json()).toEqual({
      error: {
        message: expect.stringContaining('use POST /v1/embeddings') as unknown,
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    });
  });

  it("answers in Anthropic's shape when the request sends anthropic-version (base URL with /v1 once too often)", async () => {
    const anthropic = new Anthropic({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const failure = await anthropic.messages
      .create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Anthropic.NotFoundError);
    const error = failure as InstanceType<typeof Anthropic.NotFoundError>;
    expect(error.error).toMatchObject({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: expect.stringContaining(
          'no route POST /v1/v1/messages: use POST /v1/messages, the base URL has /v1 once too often',
        ) as unknown,
      },
    });

    const bare = await post('/messages', { 'anthropic-version': '2023-06-01' });
    expect(bare.status).toBe(404);
    expect(await bare.json()).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: expect.stringContaining('use POST /v1/messages') as unknown,
      },
    });
  });

  it('names the method a path takes, and points anything else at the API', async () => {
    const get = await fetch(`${gateway.url}/v1/chat/completions`);
    expect(get.status).toBe(404);
    expect(((await get.json()) as { error: { message: string } }).error.message).toBe(
      'GET /v1/chat/completions is not served here: /v1/chat/completions takes POST',
    );
    const elsewhere = await post('/nothing/here');
    expect(elsewhere.status).toBe(404);
    const body = (await elsewhere.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain(
      "no route POST /nothing/here: the gateway serves OpenAI's API under /v1",
    );
  });

  it('leaves the credit-store in its own shape', async () => {
    const answer = await fetch(`${store.url}/chat/completions`, { method: 'POST' });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ statusCode: 404, code: 'not_found' });
  });
});
