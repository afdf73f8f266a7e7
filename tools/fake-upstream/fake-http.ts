import type { ServerResponse } from 'node:http';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sendJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Where a stream's events go: straight to the socket, or (`batched`) kept and written at once when
 * the stream ends, as an upstream that batches or a proxy that coalesces would deliver them.
 */
export function eventSink(res: ServerResponse, batched = false) {
  const kept: string[] = [];
  return {
    write(text: string): void {
      if (batched) kept.push(text);
      else res.write(text);
    },
    end(): void {
      if (kept.length) res.write(kept.join(''));
      res.end();
    },
  };
}
