import { Injectable } from '@nestjs/common';

/**
 * The time that key budgets' periods and rate windows are counted in (UTC days, weeks, months and
 * minutes). One provider, so a test can drive it instead of waiting for midnight.
 */
@Injectable()
export class KeyClock {
  now(): Date {
    return new Date();
  }
}
