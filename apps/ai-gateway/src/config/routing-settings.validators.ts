import {
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { parseModelFallbacks } from '../upstreams/model-fallbacks';
import { parseUpstreams, UpstreamSettings } from '../upstreams/upstream-routes';

/** What parsing a setting throws, or undefined when it parses. */
function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** UPSTREAMS parses: a bad entry stops the app at start-up, naming the entry and the field. */
@ValidatorConstraint({ name: 'validUpstreams' })
export class ValidUpstreams implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return this.problem(args) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return this.problem(args) ?? '';
  }

  private problem(args: ValidationArguments): string | undefined {
    return problemOf(() => parseUpstreams(args.object as UpstreamSettings));
  }
}

/** MODEL_FALLBACKS parses (a JSON object of model names to lists of model names). */
@ValidatorConstraint({ name: 'validModelFallbacks' })
export class ValidModelFallbacks implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return problemOf(() => parseModelFallbacks(value as string)) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return problemOf(() => parseModelFallbacks(args.value as string)) ?? '';
  }
}
