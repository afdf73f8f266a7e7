import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { formatValidationErrors } from '@tally/contracts';

/**
 * Builds an app's config from the environment. The config class names its fields after the
 * variables and gives each a safe local default, so a bad value fails at boot naming the variable.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new cls();
  const given: Record<string, string> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value !== undefined && value !== '') given[key] = value;
  }
  const config = plainToInstance(cls, given, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config);
  if (errors.length > 0) {
    throw new Error(`invalid configuration: ${formatValidationErrors(errors).join('; ')}`);
  }
  if (env.NODE_ENV === 'production') {
    // The local defaults of secrets are public (they are in this repository).
    const unset = Object.keys(defaults).filter((key) => key.endsWith('_TOKEN') && !given[key]);
    if (unset.length > 0)
      throw new Error(`invalid configuration: set ${unset.join(', ')} in production`);
  }
  return config;
}
