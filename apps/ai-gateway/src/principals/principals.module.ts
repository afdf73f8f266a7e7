import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_DIRECTORY } from '@tally/platform';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { CreditStorePrincipalDirectory } from './credit-store-principal.directory';

/** Global: the platform's token guard finds the directory here. */
@Global()
@Module({
  imports: [CreditStoreModule],
  providers: [{ provide: PRINCIPAL_DIRECTORY, useClass: CreditStorePrincipalDirectory }],
  exports: [PRINCIPAL_DIRECTORY],
})
export class PrincipalsModule {}
