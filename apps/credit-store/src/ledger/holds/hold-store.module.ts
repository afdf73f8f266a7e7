import { Module } from '@nestjs/common';
import { HoldRepository } from './hold.repository';

/** Holds: credits reserved before a call, captured by a charge or voided. */
@Module({ providers: [HoldRepository], exports: [HoldRepository] })
export class HoldStoreModule {}
