import { applyDecorators } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsStorableText } from './storable-text';

/**
 * Longest provider and model names a charge carries on the bus (ChargePricing's limits, written
 * there as literals for the OpenAPI documents; rule-names.spec.ts holds them equal), and so the
 * longest a price rule, a quote, a charge request or a chat call may name.
 */
export const MAX_PROVIDER_LENGTH = 64;
export const MAX_MODEL_LENGTH = 128;

const SCENE = /^[a-z][a-z0-9_.-]{0,63}$/;

export function isScene(value: string): boolean {
  return SCENE.test(value);
}

/** chat, tts, video... */
export function IsScene(): PropertyDecorator {
  return Matches(SCENE, {
    message: '$property must be a lowercase identifier such as chat or tts (at most 64 characters)',
  });
}

/** A provider or model name as the caller names it (optional). */
function IsRuleName(max: number): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), MinLength(1), MaxLength(max), IsStorableText());
}

export const IsProviderName = () => IsRuleName(MAX_PROVIDER_LENGTH);
export const IsModelName = () => IsRuleName(MAX_MODEL_LENGTH);
