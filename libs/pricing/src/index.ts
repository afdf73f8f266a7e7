export * from './exact-decimal';
export * from './price-rule';
export * from './price-rule-match';
export * from './price-usage';
export * from './price-charge';
