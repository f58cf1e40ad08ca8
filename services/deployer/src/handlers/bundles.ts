/**
 * Lambda handler of `POST /v1/projects/{project}/bundles/upload-url`: a
 * presigned PUT for a project bundle into the platform bucket
 * (`bundles/<project>/<sha256>.zip`), or `exists: true` when these bytes are
 * already stored. Above 50 MiB: 413 `Deploy.BundleTooLarge`.
 */
import { jsonHandler } from '@fluxio/contracts/http';
import { BundleUploadUrlRequestSchema, DEPLOY_MAX_BODY_BYTES } from '@fluxio/contracts/schemas/deployments';
import { getDeployer } from '../serviceRegistry.ts';
import { originOf, projectOf, withDomainErrors } from './common.ts';

/** The Lambda entry point of function `deployerBundleUploadUrl`. */
export const uploadUrl = jsonHandler({ bodySchema: BundleUploadUrlRequestSchema, maxBodyBytes: DEPLOY_MAX_BODY_BYTES }, (req) =>
  withDomainErrors(async () => ({ body: await getDeployer().bundleUploadUrl(projectOf(req.pathParameters), req.body, originOf(req.headers)) })),
);
