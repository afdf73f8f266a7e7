import { DomainError } from '@tally/platform';
import { readCountTokensRequest, readMessagesRequest } from './messages-request';

describe('readMessagesRequest', () => {
  const messages = [{ role: 'user', content: 'Hello there, how are you today?' }];

  it('reads model, stream and max_tokens, keeping the body as given', () => {
    const body = { model: 'claude', messages, max_tokens: 50, stream: true, system: 'terse' };
    const request = readMessagesRequest(body);
    expect(request).toMatchObject({ model: 'claude', stream: true, maxTokens: 50 });
    expect(request.body).toBe(body);
    expect(request.promptTokens).toBe(
      Math.ceil(Buffer.byteLength(JSON.stringify(['terse', messages, null])) / 4),
    );
  });

  it.each([
    [[], 'body must be a JSON object'],
    [{ messages, max_tokens: 1 }, 'model:'],
    [{ model: 'm', messages: [], max_tokens: 1 }, 'messages:'],
    [{ model: 'm', messages }, 'max_tokens:'],
    [{ model: 'm', messages, max_tokens: 1.5 }, 'max_tokens:'],
    [{ model: 'm', messages, max_tokens: 1, stream: 1 }, 'stream:'],
  ])('refuses %j with a reason naming the field', (body, reason) => {
    expect(() => readMessagesRequest(body)).toThrow(DomainError);
    expect(() => readMessagesRequest(body)).toThrow(reason);
  });

  it('needs no max_tokens to count tokens', () => {
    expect(readCountTokensRequest({ model: 'm', messages }).model).toBe('m');
    expect(() => readCountTokensRequest({ model: 'm' })).toThrow('messages:');
  });
});
