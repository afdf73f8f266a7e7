import { ErrorCode } from '../errors/error-code';
import { describeHazard, findJsonHazard } from '../validation/json-hazards';
import { PlainValidator } from '../validation/plain-validator';
import { validatePlain } from '../validation/validate-plain';

export type ParsedEvent<T> =
  { ok: true; event: T } | { ok: false; code: ErrorCode; reasons: string[] };

/**
 * Reads the raw value of a bus message as a validated event of one class, or says why it cannot
 * be one (the reasons go to the dead-letter topic with the original bytes): JSON; the edge's rule
 * (text PostgreSQL cannot store, JSON nested without end, which would otherwise fail in the
 * database — a retry for ever — or in the validator's recursion); the schema version; then the
 * class's rules, through their derived fast path first and the full rules, with reasons, for what
 * that does not plainly accept.
 */
export class EventParser<T extends object> {
  private readonly fastPath: PlainValidator<T>;

  constructor(
    private readonly cls: new () => T,
    private readonly schemaVersion: number,
  ) {
    this.fastPath = new PlainValidator(cls);
  }

  /** Whether the fast path takes the value as it is (what the full rules would accept too). */
  plainlyValid(plain: unknown): plain is T {
    return this.fastPath.accepts(plain);
  }

  parse(value: Buffer | string | null): ParsedEvent<T> {
    if (value === null || value.length === 0) {
      return { ok: false, code: ErrorCode.InvalidJson, reasons: ['message has no value'] };
    }
    let plain: unknown;
    try {
      plain = JSON.parse(value.toString());
    } catch (error) {
      return {
        ok: false,
        code: ErrorCode.InvalidJson,
        reasons: [`not JSON: ${(error as Error).message}`],
      };
    }
    const hazard = findJsonHazard(plain);
    if (hazard) return { ok: false, code: hazard.code, reasons: [describeHazard(hazard)] };
    const version = (plain as { schema_version?: unknown } | null)?.schema_version;
    if (version !== undefined && version !== this.schemaVersion) {
      return {
        ok: false,
        code: ErrorCode.UnsupportedSchemaVersion,
        reasons: [
          `schema_version ${JSON.stringify(version)} is not supported (expected ${this.schemaVersion})`,
        ],
      };
    }
    if (this.plainlyValid(plain)) return { ok: true, event: plain };
    const result = validatePlain(this.cls, plain);
    return result.ok
      ? { ok: true, event: result.value }
      : { ok: false, code: ErrorCode.ValidationFailed, reasons: result.reasons };
  }
}
