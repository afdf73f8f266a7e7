import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerStorage } from 'class-transformer/types/MetadataStorage';
import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

// Where @Type and @Transform are kept (no public API; @nestjs/mapped-types reads it the same way).
type StorageModule = { defaultMetadataStorage: TransformerStorage };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerStorage = (require('class-transformer/cjs/storage') as StorageModule)
  .defaultMetadataStorage;

type Class<T> = new () => T;
type Condition = (object: object, value: unknown) => boolean;

interface PropertyRules {
  name: string;
  /** IsOptional / ValidateIf: the rules apply only when all of these hold. */
  conditions: Condition[];
  validators: {
    name: string;
    constraint: ValidatorConstraintInterface;
    args: ValidationArguments;
  }[];
  nested?: PlainValidator<object>;
  /** @ValidateNested({ each: true }): the value is an array of `nested`. */
  each?: boolean;
}

interface Compiled {
  accepts: (plain: unknown) => boolean;
  properties: PropertyRules[];
}

/**
 * A class's class-validator rules, read once from its decorators and run as plain checks: the fast
 * path of an entry point that sees tens of thousands of bodies or messages a second
 * (class-transformer and class-validator cost ~50 µs a message, mostly in looking their metadata
 * up on every call). The decorators stay the one statement of the rules: this calls the very
 * validators they registered, so it cannot disagree with them. It answers yes only to the ordinary
 * shape (no nulls, no unknown keys, nothing class-transformer would alter) and leaves anything
 * else to validatePlain, which also gives the reasons. A class using something it does not know
 * (each on anything but a nested array, groups, async validators, @Transform...) fails on first
 * use instead of being guessed at.
 */
export class PlainValidator<T extends object> {
  private compiled?: Compiled;

  constructor(private readonly cls: Class<T>) {}

  /** Whether the rules plainly accept this JSON value, as it is. */
  accepts(plain: unknown): plain is T {
    return (this.compiled ??= compile(this.cls)).accepts(plain);
  }

  /** The instance validatePlain would build, if the rules plainly accept the value. */
  instance(plain: unknown): T | undefined {
    return this.accepts(plain) ? this.build(plain) : undefined;
  }

  private build(plain: object): T {
    const instance = Object.assign(new this.cls(), plain) as Record<string, unknown>;
    for (const { name, nested, each } of this.compiled!.properties) {
      const value = (plain as Record<string, unknown>)[name];
      if (!nested || value === undefined) continue;
      instance[name] = each
        ? (value as object[]).map((item) => nested.build(item))
        : nested.build(value as object);
    }
    return instance as T;
  }
}

function compile(cls: Class<object>): Compiled {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(
    storage.getTargetValidationMetadatas(cls, '', false, false),
  );
  const unsupported = (name: string, why: string) =>
    new Error(`${cls.name}.${name}: ${why} has no plain fast path`);
  const properties = Object.entries(grouped).map(([name, metadatas]): PropertyRules => {
    if (
      transformerStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length
    ) {
      throw unsupported(name, '@Transform');
    }
    const rule: PropertyRules = { name, conditions: [], validators: [] };
    for (const metadata of metadatas) {
      const nestedArray = metadata.each && metadata.type === ValidationTypes.NESTED_VALIDATION;
      if ((metadata.each && !nestedArray) || metadata.always || metadata.groups?.length) {
        throw unsupported(name, 'each (but on nested arrays), always or groups');
      }
      switch (metadata.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          rule.conditions.push(metadata.constraints[0] as Condition);
          break;
        case ValidationTypes.CUSTOM_VALIDATION:
          for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
            if (constraint.async) throw unsupported(name, 'an async validator');
            rule.validators.push({
              name: constraint.name,
              constraint: constraint.instance,
              args: {
                targetName: cls.name,
                property: name,
                object: {},
                value: undefined,
                constraints: metadata.constraints,
              },
            });
          }
          break;
        case ValidationTypes.NESTED_VALIDATION: {
          const type = transformerStorage.findTypeMetadata(cls, name);
          if (!type) throw unsupported(name, '@ValidateNested without @Type');
          rule.nested = new PlainValidator(type.typeFunction() as Class<object>);
          rule.each = nestedArray;
          break;
        }
        default:
          throw unsupported(name, metadata.type);
      }
    }
    return rule;
  });
  return { accepts: generate(properties), properties };
}

/**
 * The checks as one straight-line function with a call site per rule, so that each stays
 * monomorphic; a loop over the rules made every call megamorphic and cost three times as much.
 */
function generate(properties: PropertyRules[]): (plain: unknown) => boolean {
  const validators = properties.flatMap((p) => p.validators);
  const conditions = properties.flatMap((p) => p.conditions);
  const nested = properties.flatMap((p) => (p.nested ? [p.nested] : []));
  const [v, c, n] = [0, 0, 0].map(() => ({ i: 0 }));
  const body = properties.map((p) => {
    const key = JSON.stringify(p.name);
    const checks = p.validators.map(({ name }) => {
      const i = v.i++;
      const full = `(a${i}.value = x, a${i}.object = o, v${i}.validate(x, a${i}) === true)`;
      const shortcut = SHORTCUTS[name]?.(`a${i}.constraints`);
      return `if (!(${shortcut ? `${shortcut} || ` : ''}${full})) return false;`;
    });
    const rest = !p.nested
      ? 'if (reserved(x)) return false;'
      : p.each
        ? `if (!Array.isArray(x)) return false; for (const e of x) if (!n${n.i++}.accepts(e)) return false;`
        : `if (!n${n.i++}.accepts(x)) return false;`;
    const when = p.conditions.map(() => `c${c.i++}(o, x)`).join(' && ');
    return `x = o[${key}];\n${
      when ? `if (!(${when})) { if (x !== undefined) return false; } else ` : ''
    }{ ${checks.join(' ')} ${rest} }`;
  });
  const cases = properties.map((p) => `case ${JSON.stringify(p.name)}: break;`).join(' ');
  const source = `
    ${validators.map((_, i) => `const v${i} = validators[${i}].constraint, a${i} = validators[${i}].args;`).join('\n')}
    ${conditions.map((_, i) => `const c${i} = conditions[${i}];`).join('\n')}
    ${nested.map((_, i) => `const n${i} = nested[${i}];`).join('\n')}
    return function accepts(o) {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
      for (const k in o) switch (k) { ${cases} default: return false; }
      let x;
      ${body.join('\n')}
      return true;
    };`;
  // Generated from the classes' own metadata (property names are quoted), never from input.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('validators', 'conditions', 'nested', 'reserved', source) as (
    ...args: unknown[]
  ) => (plain: unknown) => boolean;
  return factory(validators, conditions, nested, hasReservedKey);
}

/**
 * Tests that imply a validator's yes (never one it would not give) and cost less; when one says
 * no, the validator decides. MaxLength counts a surrogate pair as one character, `.length` as two.
 */
const SHORTCUTS: Record<string, (constraints: string) => string> = {
  maxLength: (constraints) => `(typeof x === 'string' && x.length <= ${constraints}[0])`,
};

/**
 * Keys class-transformer treats specially in a free-form value (such as metadata), at any depth:
 * it throws on `constructor`, drops `__proto__`, and drops every other key naming an inherited
 * method of the object it builds (`toString`, `valueOf`...). Left to the full rules, so both paths
 * keep the same thing.
 */
function hasReservedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) {
    if (key in Object.prototype || hasReservedKey((value as Record<string, unknown>)[key])) {
      return true;
    }
  }
  return false;
}
