/**
 * Errors the user may see. Each carries one sentence that says what happened and what to do next;
 * the cause (status codes, bodies, stacks) stays in `cause` for the logs.
 */
export class UserFacingError extends Error {
  constructor(
    readonly userMessage: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ?? userMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** ConfigMgr could not be reached: network failure, timeout, 5xx after retries. */
export class ConfigMgrUnavailable extends UserFacingError {
  constructor(detail: string, cause?: unknown) {
    super('ConfigMgr did not answer; check that the SMS Provider and AdminService are running, then try again.', {
      detail,
      cause,
    });
  }
}

/** 401/403 from the AdminService. */
export class ConfigMgrAccessDenied extends UserFacingError {
  constructor(detail: string, cause?: unknown) {
    super(
      "ConfigMgr refused the bot's credentials; check CM_AUTH and the account's ConfigMgr administrative role.",
      { detail, cause },
    );
  }
}

/** The AdminService answered, but not with the OData JSON we expect (HTML, truncated JSON, wrong shape). */
export class ConfigMgrBadResponse extends UserFacingError {
  constructor(detail: string, cause?: unknown) {
    super('ConfigMgr answered with something the bot cannot read; check CM_ADMINSERVICE_URL points at the AdminService.', {
      detail,
      cause,
    });
  }
}

/** Any other 4xx: the request itself was wrong (a bug or an unsupported site version). */
export class ConfigMgrRequestRejected extends UserFacingError {
  constructor(
    readonly status: number,
    detail: string,
    cause?: unknown,
  ) {
    super(`ConfigMgr rejected the request (HTTP ${status}); the bot logged the details for your administrator.`, {
      detail,
      cause,
    });
  }
}

/** A key lookup for a package that does not exist. */
export class PackageNotFound extends UserFacingError {
  constructor(readonly packageId: string) {
    super(`No package has the id ${packageId}; type "list" to see the site's media.`);
  }
}

/** The site's AdminService does not offer a package method (absent from $metadata, or its route answers 404). */
export class ConfigMgrMethodUnavailable extends UserFacingError {
  constructor(
    readonly packageClass: string,
    readonly method: string,
    detail?: string,
  ) {
    super(
      `This site's AdminService does not offer ${method} for ${packageClass}; set RUNNER=webhook so that a servicing host runs it through WMI.`,
      { detail: detail ?? `${packageClass}.${method} is not exposed by the AdminService` },
    );
  }
}

/** ConfigMgr ran a package method and answered a ReturnValue other than 0. */
export class ConfigMgrMethodFailed extends UserFacingError {
  constructor(
    readonly packageId: string,
    readonly method: string,
    readonly returnValue: number,
    detail?: string,
  ) {
    super(
      `ConfigMgr could not run ${method} on ${packageId} (return value ${returnValue}); see SMSProv.log on the SMS Provider, then try again.`,
      { detail: detail ?? `${method} on ${packageId} returned ${returnValue}` },
    );
  }
}
