import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  AlertDeliveryList,
  AlertSubscription,
  AlertSubscriptionCreate,
  AlertSubscriptionCreated,
  AlertSubscriptionList,
  IdParams,
} from '@hashwatt/schemas';
import {
  createSubscription,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  type Viewer,
} from '../../../alerts/subscriptions.ts';
import { HwError } from '../../../errors.ts';
import type { Caller } from '../../access.ts';
import { audited } from '../../audited.ts';
import type { ApiDeps } from '../../deps.ts';
import { checkOrganisation, userId } from '../../scope.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/**
 * Alert subscriptions: an operator manages its own and its organisation's, an admin any.
 * Regulators have none: alerts are about running farms and the pool, not what they
 * oversee, and the routes' 'operator' access refuses them (403).
 */
function viewerOf(caller: Caller): Viewer {
  if (caller.kind !== 'user') {
    throw new HwError('HW_ERR_UNAUTHENTICATED');
  }
  const { user } = caller.session;
  return user.role === 'admin'
    ? { kind: 'admin' }
    : { kind: 'member', userId: user.id, organisationId: user.organisationId };
}

const DeliveriesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
  { additionalProperties: false },
);

export const alertRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/alerts/subscriptions',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          "Alert subscriptions: the caller's own and its organisation's (an admin: all); never their secrets",
        response: { 200: AlertSubscriptionList, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => ({ items: await listSubscriptions(deps.db, viewerOf(request.caller)) }),
  );

  app.post(
    '/alerts/subscriptions',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          "A new subscription, the caller's own or (organisationId) its organisation's: a webhook's signing secret is in this answer only",
        body: AlertSubscriptionCreate,
        response: { 201: AlertSubscriptionCreated, ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const { organisationId } = request.body;
      if (organisationId !== undefined) {
        checkOrganisation(request.caller, organisationId);
      }
      const creator = userId(request.caller);
      const created = await audited(deps.db, request, 'alert-subscription.create', async (tx) => {
        const made = await createSubscription(
          tx,
          request.body,
          organisationId === undefined ? { userId: creator } : { organisationId },
          creator,
          deps.alertSecrets,
        );
        // The secret is for the caller alone: never in the audit entry or the log.
        return {
          result: made,
          ids: { alertSubscription: made.subscription.id },
          ...(organisationId !== undefined && { scope: { organisationId } }),
          after: made.subscription,
        };
      });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/alerts/subscriptions/:id',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary: 'Removes a subscription the caller manages, with its delivery record',
        params: IdParams,
        response: { 200: AlertSubscription, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) =>
      audited(deps.db, request, 'alert-subscription.delete', async (tx) => {
        const removed = await deleteSubscription(tx, viewerOf(request.caller), request.params.id);
        return {
          result: removed,
          ids: { alertSubscription: removed.id },
          ...(removed.organisationId !== null && { scope: { organisationId: removed.organisationId } }),
          before: removed,
        };
      }),
  );

  app.get(
    '/alerts/deliveries',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        summary:
          'The latest deliveries to the subscriptions the caller sees, newest first, with their outcome',
        querystring: DeliveriesQuery,
        response: { 200: AlertDeliveryList, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => ({
      items: await listDeliveries(deps.db, viewerOf(request.caller), request.query.limit ?? 100),
    }),
  );
  done();
};
