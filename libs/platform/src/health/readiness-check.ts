/** Something `/health/ready` must find working (database, broker, migrations). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects with the reason otherwise. */
  check(): Promise<void>;
  /** Releases what the check holds open (a broker connection), at shutdown. */
  close?(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('tally:readiness-checks');
