import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { Upstreams } from './upstreams';

/** How each deployment fares, as this replica sees it (for operators). */
@Controller('admin/upstreams')
@RequireRole('finance', 'support')
export class UpstreamsController {
  constructor(private readonly upstreams: Upstreams) {}

  /**
   * Every deployment: its state (`ok`, `cooling` until `cooling_until`, `probing`: one call is
   * trying it again after its cooldown), its calls, failures and p50/p99 latency (until the answer
   * began) over the last minute, and the calls in flight there.
   */
  @Get()
  list() {
    return { items: this.upstreams.view() };
  }
}
