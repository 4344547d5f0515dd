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
  });

export const useEconomics = (request: EconomicsRequest) => useQuery(getEconomicsQueryOptions(request));
