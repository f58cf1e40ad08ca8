/**
 * Lookups in the CloudFormation template `serverless package` writes
 * (`.serverless/cloudformation-template-update-stack.json`), so packaging tests
 * can assert what gets deployed: functions, HTTP API routes, their
 * integrations and authorization.
 */
import { readFileSync } from 'node:fs';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export const readTemplate = (path: string): CfnTemplate => JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;

/** `[logicalId, resource]` pairs of one resource type. */
export const resourcesOfType = (template: CfnTemplate, type: string): Array<[string, CfnResource]> =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/**
 * The `AWS::Lambda::Function` of serverless.yml function `name` (its
 * FunctionName is `<service>-<stage>-<name>`), or undefined.
 */
export function findFunction(template: CfnTemplate, name: string): { logicalId: string; resource: CfnResource } | undefined {
  const hit = resourcesOfType(template, 'AWS::Lambda::Function').find(
    ([, r]) => typeof r.Properties?.FunctionName === 'string' && r.Properties.FunctionName.endsWith(`-${name}`),
  );
  return hit && { logicalId: hit[0], resource: hit[1] };
}

/** What an HTTP API route resolves to. */
export interface HttpRouteBinding {
  routeLogicalId: string;
  /** `AWS_IAM`, `JWT`, `CUSTOM` or `NONE` (CloudFormation's default when absent). */
  authorizationType: string;
  integration: CfnResource;
  /** Logical id of the Lambda function the integration invokes. */
  functionLogicalId: string | undefined;
}

/**
 * Finds the `AWS::ApiGatewayV2::Route` with route key `"METHOD path"`, its
 * integration (through `Target: integrations/<Ref>`) and the function it
 * invokes (`IntegrationUri: Fn::GetAtt [fn, Arn]`). Undefined when absent.
 */
export function findHttpRoute(template: CfnTemplate, method: string, path: string): HttpRouteBinding | undefined {
  const hit = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties?.RouteKey === `${method} ${path}`);
  if (!hit) return undefined;
  const [routeLogicalId, route] = hit;
  const target = route.Properties?.Target;
  const parts: unknown[] = target?.['Fn::Join']?.[1] ?? [];
  const ref = parts.find((p): p is { Ref: string } => typeof p === 'object' && p !== null && 'Ref' in p);
  const integration = ref ? template.Resources[ref.Ref] : undefined;
  if (!integration) throw new Error(`route ${method} ${path} has no resolvable integration target: ${JSON.stringify(target)}`);
  const uri = integration.Properties?.IntegrationUri;
  return {
    routeLogicalId,
    authorizationType: route.Properties?.AuthorizationType ?? 'NONE',
    integration,
    functionLogicalId: uri?.['Fn::GetAtt']?.[0],
  };
}
