import { Module } from '@nestjs/common';
import { UpstreamPools } from './upstream-pools';
import { UpstreamMetrics } from './upstream.metrics';
import { Upstreams } from './upstreams';
import { UpstreamsController } from './upstreams.controller';

/** The deployments, their health and the routes of calls through them. */
@Module({
  controllers: [UpstreamsController],
  providers: [Upstreams, UpstreamMetrics, UpstreamPools],
  exports: [Upstreams, UpstreamMetrics, UpstreamPools],
})
export class UpstreamsModule {}
