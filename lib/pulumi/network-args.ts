import type * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { ClusterNetworkSpec } from '../gke/cluster-network';
import type { NodeServiceAccountSpec } from '../gke/node-service-account';

/**
 * The `gcp.compute.Network` arguments of a created network: custom mode (no automatic subnetworks), regional routing,
 * as the Config Connector ComputeNetwork. Pure.
 *
 * @param spec the cluster's network (`GkeClusterSpec.network`)
 */
export function networkArgs(spec: ClusterNetworkSpec): gcp.compute.NetworkArgs {
  return { name: spec.networkName, project: spec.project, autoCreateSubnetworks: false, routingMode: 'REGIONAL' };
}

/**
 * The `gcp.compute.Subnetwork` arguments of a created subnetwork: the nodes' primary range, the Pods' and Services'
 * named secondary ranges, Private Google Access. Pure.
 *
 * @param spec the cluster's network
 * @param network the network's `id` output (so the subnetwork waits for it)
 */
export function subnetworkArgs(spec: ClusterNetworkSpec, network: pulumi.Input<string>): gcp.compute.SubnetworkArgs {
  return {
    name: spec.subnetworkName,
    project: spec.project,
    region: spec.region,
    network,
    ipCidrRange: spec.nodesCidr!,
    secondaryIpRanges: [
      { rangeName: spec.podsRangeName!, ipCidrRange: spec.podsCidr! },
      { rangeName: spec.servicesRangeName!, ipCidrRange: spec.servicesCidr! },
    ],
    privateIpGoogleAccess: spec.privateIpGoogleAccess,
  };
}

/**
 * The `gcp.compute.Router` arguments of the Cloud Router that carries the NAT gateway. Pure.
 *
 * @param spec the cluster's network (with `cloudNat`)
 * @param network the network: the created one's `id` output, or `spec.networkId`
 */
export function routerArgs(spec: ClusterNetworkSpec, network: pulumi.Input<string>): gcp.compute.RouterArgs {
  return { name: spec.cloudNat!.routerName, project: spec.project, region: spec.region, network };
}

/**
 * The `gcp.compute.RouterNat` arguments: automatic external addresses, the cluster's subnetwork only, all its ranges
 * (Config Connector's ComputeRouterNAT spells the list `subnetwork` and `sourceIpRangesToNat`; @pulumi/gcp
 * `subnetworks` and `sourceIpRangesToNats`). Pure.
 *
 * @param spec the cluster's network (with `cloudNat`)
 * @param router the router's `name` output
 * @param subnetwork the subnetwork: the created one's `id` output, or `spec.subnetworkId`
 */
export function routerNatArgs(spec: ClusterNetworkSpec, router: pulumi.Input<string>, subnetwork: pulumi.Input<string>): gcp.compute.RouterNatArgs {
  return {
    name: spec.cloudNat!.natName,
    project: spec.project,
    region: spec.region,
    router,
    natIpAllocateOption: 'AUTO_ONLY',
    sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
    subnetworks: [{ name: subnetwork, sourceIpRangesToNats: ['ALL_IP_RANGES'] }],
  };
}

/**
 * The `gcp.serviceaccount.Account` arguments of a dedicated node service account. Pure.
 *
 * @param spec the cluster's node service account (`GkeClusterSpec.nodeServiceAccount`, with `create`)
 */
export function nodeServiceAccountArgs(spec: NodeServiceAccountSpec): gcp.serviceaccount.AccountArgs {
  const c = spec.create!;
  return { project: c.project, accountId: c.accountId, displayName: c.displayName };
}

/**
 * The `gcp.projects.IAMMember` arguments that grant the node service account one project role. Pure.
 *
 * @param spec the cluster's node service account (with `create`)
 * @param role one of `spec.create.roles`
 * @param member `serviceAccount:EMAIL` (the Account's `member` output)
 */
export function nodeRoleArgs(spec: NodeServiceAccountSpec, role: string, member: pulumi.Input<string>): gcp.projects.IAMMemberArgs {
  return { project: spec.create!.project, role, member };
}
