import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'undici';
import { UpstreamAnswer } from './upstream-answer';

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * The connections to the upstreams: one pool of kept-alive connections per origin, shared by the
 * deployments there. Requests go through undici's own request API, not fetch: the answer's body is
 * a Node stream, without the web streams' work (client side, 0.21 against 0.79 ms of CPU a JSON
 * call on Node 24, measured side by side).
 */
@Injectable()
export class UpstreamPools implements OnApplicationShutdown {
  private readonly pools = new Map<string, Pool>();

  /** Sends to `${baseUrl}${path}` (the base URL may carry a path, `/v1`). */
  async send(baseUrl: string, path: string, init: UpstreamRequest): Promise<UpstreamAnswer> {
    const url = new URL(`${baseUrl}${path}`);
    const answer = await this.poolFor(url.origin).request({
      path: `${url.pathname}${url.search}`,
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    return new UpstreamAnswer(answer.statusCode, answer.headers, answer.body);
  }

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
