import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

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
export function IsRuleName(): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [IsOptional(), IsString(), MinLength(1), MaxLength(128)]) {
      decorate(target, key);
    }
  };
}
