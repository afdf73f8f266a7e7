import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';

@Module({ controllers: [UsageController], providers: [UsageRepository] })
export class UsageModule {}
