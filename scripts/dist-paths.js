// Where `npm run build` (nest build) puts each app's compiled entry and config.
require('reflect-metadata');
const path = require('node:path');

const root = path.join(__dirname, '..');
const app = (name) => path.join(root, 'dist', 'apps', name, 'apps', name, 'src');
const lib = (appName, libName) => path.join(root, 'dist', 'apps', appName, 'libs', libName, 'src');

module.exports = {
  root,
  gateway: {
    name: 'ai-gateway',
    main: path.join(app('ai-gateway'), 'main.js'),
    config: () =>
      require(path.join(app('ai-gateway'), 'config', 'gateway.config.js')).GatewayConfig,
  },
  creditStore: {
    name: 'credit-store',
    main: path.join(app('credit-store'), 'main.js'),
    config: () =>
      require(path.join(app('credit-store'), 'config', 'credit-store.config.js')).CreditStoreConfig,
  },
  assertPortFree: (host, port, setting) =>
    require(path.join(lib('ai-gateway', 'platform'), 'runtime', 'port-free.js')).assertPortFree(
      host,
      port,
      setting,
    ),
  loadConfig: (Config) =>
    require(path.join(lib('ai-gateway', 'platform'), 'config', 'load-config.js')).loadConfig(
      Config,
    ),
};
