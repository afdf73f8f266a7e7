import { runServiceMain } from '@tally/platform';
import { GatewayConfig } from './config/gateway.config';
import { gatewayDataSourceOptions } from './database/gateway-data-source';
import { createGatewayApp } from './gateway.app';

runServiceMain({
  name: 'ai-gateway',
  configClass: GatewayConfig,
  database: gatewayDataSourceOptions,
  createApp: createGatewayApp,
  port: (config) => config.GATEWAY_PORT,
  portSetting: 'GATEWAY_PORT',
});
