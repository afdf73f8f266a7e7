import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

export type JobName = 'expire_grants' | 'expire_holds';

/** Runs of the expiry jobs (scheduled or asked for by an admin) and what they expired. */
@Injectable()
export class JobsMetrics {
  private readonly runs: Counter<'job' | 'result'>;
  private readonly expired: Counter<'job'>;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'tally_job_runs_total',
      help: 'Expiry job runs, by job and result (ok, error)',
      labelNames: ['job', 'result'],
      registers: [registry],
    });
    this.expired = new Counter({
      name: 'tally_job_expired_total',
      help: 'Grants or holds the expiry jobs expired',
      labelNames: ['job'],
      registers: [registry],
    });
  }

  async measure(job: JobName, run: () => Promise<number>): Promise<number> {
    try {
      const expired = await run();
      this.runs.inc({ job, result: 'ok' });
      this.expired.inc({ job }, expired);
      return expired;
    } catch (error) {
      this.runs.inc({ job, result: 'error' });
      throw error;
    }
  }
}
