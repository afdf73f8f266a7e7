import { Module } from '@nestjs/common';
import { CONSOLE_ASSETS, loadConsoleAssets } from './console-assets';
import { ConsoleController } from './console.controller';

@Module({
  controllers: [ConsoleController],
  providers: [{ provide: CONSOLE_ASSETS, useFactory: () => loadConsoleAssets() }],
})
export class ConsoleModule {}
