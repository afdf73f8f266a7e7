import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_DIRECTORY } from '@tally/platform';
import { PrincipalDirectory } from './principal-directory';
import { PrincipalRepository } from './principal.repository';
import {
  PrincipalResolveController,
  PrincipalSelfController,
  PrincipalsController,
} from './principals.controller';
import { PrincipalsService } from './principals.service';

/** Global: the platform's token guard finds the directory here. */
@Global()
@Module({
  controllers: [PrincipalsController, PrincipalResolveController, PrincipalSelfController],
  providers: [
    PrincipalRepository,
    PrincipalsService,
    PrincipalDirectory,
    { provide: PRINCIPAL_DIRECTORY, useExisting: PrincipalDirectory },
  ],
  exports: [PRINCIPAL_DIRECTORY],
})
export class PrincipalsModule {}
