import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { ChargePricing } from '../events/charge-pricing';
import { MAX_MODEL_LENGTH, MAX_PROVIDER_LENGTH } from './rule-names';

const maxLengthOf = (property: string) =>
  getMetadataStorage()
    .getTargetValidationMetadatas(ChargePricing, '', false, false)
    .find((m) => m.propertyName === property && m.name === 'maxLength')?.constraints[0] as unknown;

describe('rule name limits', () => {
  it('are the limits the bus contract puts on a charge', () => {
    expect(maxLengthOf('provider')).toBe(MAX_PROVIDER_LENGTH);
    expect(maxLengthOf('model')).toBe(MAX_MODEL_LENGTH);
  });
});
