import type { FarmEconomics, RateType } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export interface EconomicsRequest {
  readonly farmId: string;
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly rateType: RateType;
}

export const getEconomicsQueryOptions = (request: EconomicsRequest) =>
  queryOptions({
    queryKey: ['economics', request],
    queryFn: () =>
      api<FarmEconomics>(
        `/farms/${request.farmId}/economics?from=${request.from}&to=${request.to}&currency=${request.currency}&rateType=${request.rateType}`,
      ),
    // A range being picked (a day cleared, a Solar Hijri day half chosen) is not asked for.
    enabled: request.from !== '' && request.to !== '',
  });

export const useEconomics = (request: EconomicsRequest) => useQuery(getEconomicsQueryOptions(request));
