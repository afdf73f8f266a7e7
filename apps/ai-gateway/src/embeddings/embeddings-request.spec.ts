import { readEmbeddingsRequest } from './embeddings-request';

const reasonOf = (body: unknown): string | undefined => {
  try {
    readEmbeddingsRequest(body);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('readEmbeddingsRequest', () => {
  it('estimates texts at 4 bytes a token and counts token ids, keeping the body', () => {
    const body = { model: 'e', input: ['abcd', 'abcdefgh'], dimensions: 8 };
    const request = readEmbeddingsRequest(body);
    expect(request).toMatchObject({ model: 'e', promptTokens: 3 });
    expect(request.body).toBe(body);
    expect(readEmbeddingsRequest({ model: 'e', input: 'abcde' }).promptTokens).toBe(2);
    expect(readEmbeddingsRequest({ model: 'e', input: [5, 6, 7] }).promptTokens).toBe(3);
    expect(readEmbeddingsRequest({ model: 'e', input: [[5, 6], [7]] }).promptTokens).toBe(3);
  });

  it('refuses an input that is not one, naming it', () => {
    for (const input of [undefined, '', [], {}, 7, Array<string>(2049).fill('x')]) {
      expect(reasonOf({ model: 'e', input })).toContain('input:');
    }
    expect(reasonOf({ model: 'e', input: ['ok', ''] })).toContain('input[1]:');
    expect(reasonOf({ model: 'e', input: [[1], [-1]] })).toContain('input[1]:');
    expect(reasonOf({ input: 'x' })).toContain('model:');
    expect(reasonOf([])).toContain('body must be a JSON object');
  });
});
