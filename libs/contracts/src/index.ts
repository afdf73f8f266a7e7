export * from './topics';
export * from './errors/error-code';
export * from './validation/identifiers';
export * from './validation/sources';
export * from './validation/validate-plain';
export * from './events/charge-pricing';
export * from './events/charge-requested.event';
export * from './events/parse-charge-requested';
