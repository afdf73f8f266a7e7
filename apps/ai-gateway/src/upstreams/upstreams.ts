import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway.config';
import { parseUpstreams, Upstream, UpstreamApi, upstreamFor } from './upstream-routes';

/** The configured upstreams (read once at start-up: a bad UPSTREAMS stops the app, naming it). */
@Injectable()
export class Upstreams {
  private readonly list: Upstream[];

  constructor(config: GatewayConfig) {
    this.list = parseUpstreams(config);
  }

  for(model: string, api: UpstreamApi = 'openai', translating = false): Upstream | undefined {
    return upstreamFor(this.list, model, api, translating);
  }
}
