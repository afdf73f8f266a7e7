import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { FinanceWindowQuery } from './dto/finance-window.query';

/** A half-open range of created_at, [from, to); a missing bound leaves that side open. */
export interface FinanceWindow {
  from: Date | null;
  to: Date | null;
}

export function financeWindow(query: FinanceWindowQuery): FinanceWindow {
  const from = query.from ? new Date(query.from) : null;
  const to = query.to ? new Date(query.to) : null;
  if (from && to && from >= to) {
    throw new DomainError(ErrorCode.ValidationFailed, 'from must be before to', [
      'from: must be before to',
    ]);
  }
  return { from, to };
}
