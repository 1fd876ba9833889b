/* SPDX-License-Identifier: MIT */
/* load: find a unit and its drop-ins, apply every assignment the way
 * systemd 252's load-fragment.c does, and check the result (service_verify). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"
#include "specifier.h"
#include "unit.h"
#include "values.h"
#include "words.h"

/* Every directive systemd 252 knows in a .service file, with the value type
 * `systemd --dump-configuration-items` gives it. Sorted for bsearch. */
struct directive {
	const char *section, *key, *type;
};

static const struct directive directives[] = {
	{ "Install", "Alias", "OTHER" },
	{ "Install", "Also", "OTHER" },
	{ "Install", "DefaultInstance", "OTHER" },
	{ "Install", "RequiredBy", "OTHER" },
	{ "Install", "WantedBy", "OTHER" },
	{ "Service", "AllowedCPUs", "OTHER" },
	{ "Service", "AllowedMemoryNodes", "OTHER" },
	{ "Service", "AmbientCapabilities", "BOUNDINGSET" },
	{ "Service", "AppArmorProfile", "OTHER" },
	{ "Service", "BPFProgram", "OTHER" },
	{ "Service", "BindPaths", "PATH[:PATH[:OPTIONS]] [...]" },
	{ "Service", "BindReadOnlyPaths", "PATH[:PATH[:OPTIONS]] [...]" },
	{ "Service", "BlockIOAccounting", "BOOLEAN" },
	{ "Service", "BlockIODeviceWeight", "DEVICEWEIGHT" },
	{ "Service", "BlockIOReadBandwidth", "BANDWIDTH" },
	{ "Service", "BlockIOWeight", "WEIGHT" },
	{ "Service", "BlockIOWriteBandwidth", "BANDWIDTH" },
	{ "Service", "BusName", "OTHER" },
	{ "Service", "CPUAccounting", "BOOLEAN" },
	{ "Service", "CPUAffinity", "CPUAFFINITY" },
	{ "Service", "CPUQuota", "OTHER" },
	{ "Service", "CPUQuotaPeriodSec", "OTHER" },
	{ "Service", "CPUSchedulingPolicy", "CPUSCHEDPOLICY" },
	{ "Service", "CPUSchedulingPriority", "CPUSCHEDPRIO" },
	{ "Service", "CPUSchedulingResetOnFork", "BOOLEAN" },
	{ "Service", "CPUShares", "SHARES" },
	{ "Service", "CPUWeight", "CPUWEIGHT" },
	{ "Service", "CacheDirectory", "OTHER" },
	{ "Service", "CacheDirectoryMode", "MODE" },
	{ "Service", "CapabilityBoundingSet", "BOUNDINGSET" },
	{ "Service", "ConfigurationDirectory", "OTHER" },
	{ "Service", "ConfigurationDirectoryMode", "MODE" },
	{ "Service", "CoredumpFilter", "OTHER" },
	{ "Service", "DefaultMemoryLow", "LIMIT" },
	{ "Service", "DefaultMemoryMin", "LIMIT" },
	{ "Service", "Delegate", "OTHER" },
	{ "Service", "DeviceAllow", "DEVICE" },
	{ "Service", "DevicePolicy", "POLICY" },
	{ "Service", "DisableControllers", "OTHER" },
	{ "Service", "DynamicUser", "BOOLEAN" },
	{ "Service", "Environment", "ENVIRON" },
	{ "Service", "EnvironmentFile", "FILE" },
	{ "Service", "ExecCondition", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecPaths", "PATH [...]" },
	{ "Service", "ExecReload", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecSearchPath", "PATH" },
	{ "Service", "ExecStart", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecStartPost", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecStartPre", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecStop", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExecStopPost", "PATH [ARGUMENT [...]]" },
	{ "Service", "ExitType", "SERVICEEXITTYPE" },
	{ "Service", "ExtensionDirectories", "PATH [...]" },
	{ "Service", "ExtensionImages", "OTHER" },
	{ "Service", "FailureAction", "ACTION" },
	{ "Service", "FileDescriptorStoreMax", "UNSIGNED" },
	{ "Service", "FinalKillSignal", "SIGNAL" },
	{ "Service", "Group", "OTHER" },
	{ "Service", "GuessMainPID", "BOOLEAN" },
	{ "Service", "IOAccounting", "BOOLEAN" },
	{ "Service", "IODeviceLatencyTargetSec", "DEVICELATENCY" },
	{ "Service", "IODeviceWeight", "DEVICEWEIGHT" },
	{ "Service", "IOReadBandwidthMax", "LIMIT" },
	{ "Service", "IOReadIOPSMax", "LIMIT" },
	{ "Service", "IOSchedulingClass", "IOCLASS" },
	{ "Service", "IOSchedulingPriority", "IOPRIORITY" },
	{ "Service", "IOWeight", "WEIGHT" },
	{ "Service", "IOWriteBandwidthMax", "LIMIT" },
	{ "Service", "IOWriteIOPSMax", "LIMIT" },
	{ "Service", "IPAccounting", "BOOLEAN" },
	{ "Service", "IPAddressAllow", "OTHER" },
	{ "Service", "IPAddressDeny", "OTHER" },
	{ "Service", "IPCNamespacePath", "PATH" },
	{ "Service", "IPEgressFilterPath", "OTHER" },
	{ "Service", "IPIngressFilterPath", "OTHER" },
	{ "Service", "IgnoreSIGPIPE", "BOOLEAN" },
	{ "Service", "InaccessibleDirectories", "PATH [...]" },
	{ "Service", "InaccessiblePaths", "PATH [...]" },
	{ "Service", "KeyringMode", "OTHER" },
	{ "Service", "KillMode", "KILLMODE" },
	{ "Service", "KillSignal", "SIGNAL" },
	{ "Service", "LimitAS", "LIMIT" },
	{ "Service", "LimitCORE", "LIMIT" },
	{ "Service", "LimitCPU", "LIMIT" },
	{ "Service", "LimitDATA", "LIMIT" },
	{ "Service", "LimitFSIZE", "LIMIT" },
	{ "Service", "LimitLOCKS", "LIMIT" },
	{ "Service", "LimitMEMLOCK", "LIMIT" },
	{ "Service", "LimitMSGQUEUE", "LIMIT" },
	{ "Service", "LimitNICE", "LIMIT" },
	{ "Service", "LimitNOFILE", "LIMIT" },
	{ "Service", "LimitNPROC", "LIMIT" },
	{ "Service", "LimitRSS", "LIMIT" },
	{ "Service", "LimitRTPRIO", "LIMIT" },
	{ "Service", "LimitRTTIME", "LIMIT" },
	{ "Service", "LimitSIGPENDING", "LIMIT" },
	{ "Service", "LimitSTACK", "LIMIT" },
	{ "Service", "LoadCredential", "OTHER" },
	{ "Service", "LoadCredentialEncrypted", "OTHER" },
	{ "Service", "LockPersonality", "BOOLEAN" },
	{ "Service", "LogExtraFields", "OTHER" },
	{ "Service", "LogLevelMax", "LEVEL" },
	{ "Service", "LogNamespace", "OTHER" },
	{ "Service", "LogRateLimitBurst", "UNSIGNED" },
	{ "Service", "LogRateLimitIntervalSec", "SECONDS" },
	{ "Service", "LogsDirectory", "OTHER" },
	{ "Service", "LogsDirectoryMode", "MODE" },
	{ "Service", "ManagedOOMMemoryPressure", "OTHER" },
	{ "Service", "ManagedOOMMemoryPressureLimit", "OTHER" },
	{ "Service", "ManagedOOMPreference", "OTHER" },
	{ "Service", "ManagedOOMSwap", "OTHER" },
	{ "Service", "MemoryAccounting", "BOOLEAN" },
	{ "Service", "MemoryDenyWriteExecute", "BOOLEAN" },
	{ "Service", "MemoryHigh", "LIMIT" },
	{ "Service", "MemoryLimit", "LIMIT" },
	{ "Service", "MemoryLow", "LIMIT" },
	{ "Service", "MemoryMax", "LIMIT" },
	{ "Service", "MemoryMin", "LIMIT" },
	{ "Service", "MemorySwapMax", "LIMIT" },
	{ "Service", "MountAPIVFS", "OTHER" },
	{ "Service", "MountFlags", "MOUNTFLAG [...]" },
	{ "Service", "MountImages", "OTHER" },
	{ "Service", "NUMAMask", "OTHER" },
	{ "Service", "NUMAPolicy", "OTHER" },
	{ "Service", "NetworkNamespacePath", "PATH" },
	{ "Service", "Nice", "NICE" },
	{ "Service", "NoExecPaths", "PATH [...]" },
	{ "Service", "NoNewPrivileges", "BOOLEAN" },
	{ "Service", "NonBlocking", "BOOLEAN" },
	{ "Service", "NotifyAccess", "ACCESS" },
	{ "Service", "OOMPolicy", "OTHER" },
	{ "Service", "OOMScoreAdjust", "OOMSCOREADJUST" },
	{ "Service", "PAMName", "STRING" },
	{ "Service", "PIDFile", "OTHER" },
	{ "Service", "PassEnvironment", "OTHER" },
	{ "Service", "PermissionsStartOnly", "BOOLEAN" },
	{ "Service", "Personality", "PERSONALITY" },
	{ "Service", "PrivateDevices", "BOOLEAN" },
	{ "Service", "PrivateIPC", "BOOLEAN" },
	{ "Service", "PrivateMounts", "BOOLEAN" },
	{ "Service", "PrivateNetwork", "BOOLEAN" },
	{ "Service", "PrivateTmp", "BOOLEAN" },
	{ "Service", "PrivateUsers", "BOOLEAN" },
	{ "Service", "ProcSubset", "OTHER" },
	{ "Service", "ProtectClock", "BOOLEAN" },
	{ "Service", "ProtectControlGroups", "BOOLEAN" },
	{ "Service", "ProtectHome", "OTHER" },
	{ "Service", "ProtectHostname", "BOOLEAN" },
	{ "Service", "ProtectKernelLogs", "BOOLEAN" },
	{ "Service", "ProtectKernelModules", "BOOLEAN" },
	{ "Service", "ProtectKernelTunables", "BOOLEAN" },
	{ "Service", "ProtectProc", "OTHER" },
	{ "Service", "ProtectSystem", "OTHER" },
	{ "Service", "ReadOnlyDirectories", "PATH [...]" },
	{ "Service", "ReadOnlyPaths", "PATH [...]" },
	{ "Service", "ReadWriteDirectories", "PATH [...]" },
	{ "Service", "ReadWritePaths", "PATH [...]" },
	{ "Service", "RebootArgument", "STRING" },
	{ "Service", "RemainAfterExit", "BOOLEAN" },
	{ "Service", "RemoveIPC", "BOOLEAN" },
	{ "Service", "Restart", "SERVICERESTART" },
	{ "Service", "RestartForceExitStatus", "STATUS" },
	{ "Service", "RestartKillSignal", "SIGNAL" },
	{ "Service", "RestartPreventExitStatus", "STATUS" },
	{ "Service", "RestartSec", "SECONDS" },
	{ "Service", "RestrictAddressFamilies", "FAMILIES" },
	{ "Service", "RestrictFileSystems", "FILESYSTEMS" },
	{ "Service", "RestrictNamespaces", "NAMESPACES" },
	{ "Service", "RestrictNetworkInterfaces", "OTHER" },
	{ "Service", "RestrictRealtime", "BOOLEAN" },
	{ "Service", "RestrictSUIDSGID", "BOOLEAN" },
	{ "Service", "RootDirectory", "PATH" },
	{ "Service", "RootDirectoryStartOnly", "BOOLEAN" },
	{ "Service", "RootHash", "OTHER" },
	{ "Service", "RootHashSignature", "OTHER" },
	{ "Service", "RootImage", "PATH" },
	{ "Service", "RootImageOptions", "OTHER" },
	{ "Service", "RootVerity", "PATH" },
	{ "Service", "RuntimeDirectory", "OTHER" },
	{ "Service", "RuntimeDirectoryMode", "MODE" },
	{ "Service", "RuntimeDirectoryPreserve", "OTHER" },
	{ "Service", "RuntimeMaxSec", "SECONDS" },
	{ "Service", "RuntimeRandomizedExtraSec", "SECONDS" },
	{ "Service", "SELinuxContext", "LABEL" },
	{ "Service", "SecureBits", "SECUREBITS" },
	{ "Service", "SendSIGHUP", "BOOLEAN" },
	{ "Service", "SendSIGKILL", "BOOLEAN" },
	{ "Service", "SetCredential", "OTHER" },
	{ "Service", "SetCredentialEncrypted", "OTHER" },
	{ "Service", "Slice", "SLICE" },
	{ "Service", "SmackProcessLabel", "OTHER" },
	{ "Service", "SocketBindAllow", "OTHER" },
	{ "Service", "SocketBindDeny", "OTHER" },
	{ "Service", "Sockets", "SOCKETS" },
	{ "Service", "StandardError", "OUTPUT" },
	{ "Service", "StandardInput", "INPUT" },
	{ "Service", "StandardInputData", "OTHER" },
	{ "Service", "StandardInputText", "OTHER" },
	{ "Service", "StandardOutput", "OUTPUT" },
	{ "Service", "StartLimitAction", "ACTION" },
	{ "Service", "StartLimitBurst", "UNSIGNED" },
	{ "Service", "StartLimitInterval", "SECONDS" },
	{ "Service", "StartupAllowedCPUs", "OTHER" },
	{ "Service", "StartupAllowedMemoryNodes", "OTHER" },
	{ "Service", "StartupBlockIOWeight", "WEIGHT" },
	{ "Service", "StartupCPUShares", "SHARES" },
	{ "Service", "StartupCPUWeight", "CPUWEIGHT" },
	{ "Service", "StartupIOWeight", "WEIGHT" },
	{ "Service", "StateDirectory", "OTHER" },
	{ "Service", "StateDirectoryMode", "MODE" },
	{ "Service", "SuccessExitStatus", "STATUS" },
	{ "Service", "SupplementaryGroups", "OTHER" },
	{ "Service", "SyslogFacility", "FACILITY" },
	{ "Service", "SyslogIdentifier", "STRING" },
	{ "Service", "SyslogLevel", "LEVEL" },
	{ "Service", "SyslogLevelPrefix", "BOOLEAN" },
	{ "Service", "SystemCallArchitectures", "ARCHS" },
	{ "Service", "SystemCallErrorNumber", "ERRNO" },
	{ "Service", "SystemCallFilter", "SYSCALLS" },
	{ "Service", "SystemCallLog", "SYSCALLS" },
	{ "Service", "TTYColumns", "OTHER" },
	{ "Service", "TTYPath", "PATH" },
	{ "Service", "TTYReset", "BOOLEAN" },
	{ "Service", "TTYRows", "OTHER" },
	{ "Service", "TTYVHangup", "BOOLEAN" },
	{ "Service", "TTYVTDisallocate", "BOOLEAN" },
	{ "Service", "TasksAccounting", "BOOLEAN" },
	{ "Service", "TasksMax", "OTHER" },
	{ "Service", "TemporaryFileSystem", "OTHER" },
	{ "Service", "TimeoutAbortSec", "OTHER" },
	{ "Service", "TimeoutCleanSec", "SECONDS" },
	{ "Service", "TimeoutSec", "SECONDS" },
	{ "Service", "TimeoutStartFailureMode", "TIMEOUTMODE" },
	{ "Service", "TimeoutStartSec", "SECONDS" },
	{ "Service", "TimeoutStopFailureMode", "TIMEOUTMODE" },
	{ "Service", "TimeoutStopSec", "OTHER" },
	{ "Service", "TimerSlackNSec", "NANOSECONDS" },
	{ "Service", "Type", "SERVICETYPE" },
	{ "Service", "UMask", "MODE" },
	{ "Service", "USBFunctionDescriptors", "PATH" },
	{ "Service", "USBFunctionStrings", "PATH" },
	{ "Service", "UnsetEnvironment", "OTHER" },
	{ "Service", "User", "OTHER" },
	{ "Service", "UtmpIdentifier", "STRING" },
	{ "Service", "UtmpMode", "OTHER" },
	{ "Service", "WatchdogSec", "SECONDS" },
	{ "Service", "WatchdogSignal", "SIGNAL" },
	{ "Service", "WorkingDirectory", "OTHER" },
	{ "Unit", "After", "UNIT [...]" },
	{ "Unit", "AllowIsolate", "BOOLEAN" },
	{ "Unit", "AssertACPower", "CONDITION" },
	{ "Unit", "AssertArchitecture", "CONDITION" },
	{ "Unit", "AssertCPUFeature", "CONDITION" },
	{ "Unit", "AssertCPUPressure", "CONDITION" },
	{ "Unit", "AssertCPUs", "CONDITION" },
	{ "Unit", "AssertCapability", "CONDITION" },
	{ "Unit", "AssertControlGroupController", "CONDITION" },
	{ "Unit", "AssertCredential", "CONDITION" },
	{ "Unit", "AssertDirectoryNotEmpty", "CONDITION" },
	{ "Unit", "AssertEnvironment", "CONDITION" },
	{ "Unit", "AssertFileIsExecutable", "CONDITION" },
	{ "Unit", "AssertFileNotEmpty", "CONDITION" },
	{ "Unit", "AssertFirstBoot", "CONDITION" },
	{ "Unit", "AssertGroup", "CONDITION" },
	{ "Unit", "AssertHost", "CONDITION" },
	{ "Unit", "AssertIOPressure", "CONDITION" },
	{ "Unit", "AssertKernelCommandLine", "CONDITION" },
	{ "Unit", "AssertKernelVersion", "CONDITION" },
	{ "Unit", "AssertMemory", "CONDITION" },
	{ "Unit", "AssertMemoryPressure", "CONDITION" },
	{ "Unit", "AssertNeedsUpdate", "CONDITION" },
	{ "Unit", "AssertOSRelease", "CONDITION" },
	{ "Unit", "AssertPathExists", "CONDITION" },
	{ "Unit", "AssertPathExistsGlob", "CONDITION" },
	{ "Unit", "AssertPathIsDirectory", "CONDITION" },
	{ "Unit", "AssertPathIsEncrypted", "CONDITION" },
	{ "Unit", "AssertPathIsMountPoint", "CONDITION" },
	{ "Unit", "AssertPathIsReadWrite", "CONDITION" },
	{ "Unit", "AssertPathIsSymbolicLink", "CONDITION" },
	{ "Unit", "AssertSecurity", "CONDITION" },
	{ "Unit", "AssertUser", "CONDITION" },
	{ "Unit", "AssertVirtualization", "CONDITION" },
	{ "Unit", "Before", "UNIT [...]" },
	{ "Unit", "BindTo", "UNIT [...]" },
	{ "Unit", "BindsTo", "UNIT [...]" },
	{ "Unit", "CollectMode", "OTHER" },
	{ "Unit", "ConditionACPower", "CONDITION" },
	{ "Unit", "ConditionArchitecture", "CONDITION" },
	{ "Unit", "ConditionCPUFeature", "CONDITION" },
	{ "Unit", "ConditionCPUPressure", "CONDITION" },
	{ "Unit", "ConditionCPUs", "CONDITION" },
	{ "Unit", "ConditionCapability", "CONDITION" },
	{ "Unit", "ConditionControlGroupController", "CONDITION" },
	{ "Unit", "ConditionCredential", "CONDITION" },
	{ "Unit", "ConditionDirectoryNotEmpty", "CONDITION" },
	{ "Unit", "ConditionEnvironment", "CONDITION" },
	{ "Unit", "ConditionFileIsExecutable", "CONDITION" },
	{ "Unit", "ConditionFileNotEmpty", "CONDITION" },
	{ "Unit", "ConditionFirmware", "CONDITION" },
	{ "Unit", "ConditionFirstBoot", "CONDITION" },
	{ "Unit", "ConditionGroup", "CONDITION" },
	{ "Unit", "ConditionHost", "CONDITION" },
	{ "Unit", "ConditionIOPressure", "CONDITION" },
	{ "Unit", "ConditionKernelCommandLine", "CONDITION" },
	{ "Unit", "ConditionKernelVersion", "CONDITION" },
	{ "Unit", "ConditionMemory", "CONDITION" },
	{ "Unit", "ConditionMemoryPressure", "CONDITION" },
	{ "Unit", "ConditionNeedsUpdate", "CONDITION" },
	{ "Unit", "ConditionOSRelease", "CONDITION" },
	{ "Unit", "ConditionPathExists", "CONDITION" },
	{ "Unit", "ConditionPathExistsGlob", "CONDITION" },
	{ "Unit", "ConditionPathIsDirectory", "CONDITION" },
	{ "Unit", "ConditionPathIsEncrypted", "CONDITION" },
	{ "Unit", "ConditionPathIsMountPoint", "CONDITION" },
	{ "Unit", "ConditionPathIsReadWrite", "CONDITION" },
	{ "Unit", "ConditionPathIsSymbolicLink", "CONDITION" },
	{ "Unit", "ConditionSecurity", "CONDITION" },
	{ "Unit", "ConditionUser", "CONDITION" },
	{ "Unit", "ConditionVirtualization", "CONDITION" },
	{ "Unit", "Conflicts", "UNIT [...]" },
	{ "Unit", "DefaultDependencies", "BOOLEAN" },
	{ "Unit", "Description", "STRING" },
	{ "Unit", "Documentation", "URL" },
	{ "Unit", "FailureAction", "ACTION" },
	{ "Unit", "FailureActionExitStatus", "OTHER" },
	{ "Unit", "IgnoreOnIsolate", "BOOLEAN" },
	{ "Unit", "JobRunningTimeoutSec", "OTHER" },
	{ "Unit", "JobTimeoutAction", "ACTION" },
	{ "Unit", "JobTimeoutRebootArgument", "OTHER" },
	{ "Unit", "JobTimeoutSec", "OTHER" },
	{ "Unit", "JoinsNamespaceOf", "UNIT [...]" },
	{ "Unit", "OnFailure", "UNIT [...]" },
	{ "Unit", "OnFailureIsolate", "BOOLEAN" },
	{ "Unit", "OnFailureJobMode", "MODE" },
	{ "Unit", "OnSuccess", "UNIT [...]" },
	{ "Unit", "OnSuccessJobMode", "MODE" },
	{ "Unit", "PartOf", "UNIT [...]" },
	{ "Unit", "PropagateReloadFrom", "UNIT [...]" },
	{ "Unit", "PropagateReloadTo", "UNIT [...]" },
	{ "Unit", "PropagatesReloadTo", "UNIT [...]" },
	{ "Unit", "PropagatesStopTo", "UNIT [...]" },
	{ "Unit", "RebootArgument", "OTHER" },
	{ "Unit", "RefuseManualStart", "BOOLEAN" },
	{ "Unit", "RefuseManualStop", "BOOLEAN" },
	{ "Unit", "ReloadPropagatedFrom", "UNIT [...]" },
	{ "Unit", "Requires", "UNIT [...]" },
	{ "Unit", "RequiresMountsFor", "PATH [...]" },
	{ "Unit", "RequiresOverridable", "OTHER" },
	{ "Unit", "Requisite", "UNIT [...]" },
	{ "Unit", "RequisiteOverridable", "OTHER" },
	{ "Unit", "SourcePath", "PATH" },
	{ "Unit", "StartLimitAction", "ACTION" },
	{ "Unit", "StartLimitBurst", "UNSIGNED" },
	{ "Unit", "StartLimitInterval", "SECONDS" },
	{ "Unit", "StartLimitIntervalSec", "SECONDS" },
	{ "Unit", "StopPropagatedFrom", "UNIT [...]" },
	{ "Unit", "StopWhenUnneeded", "BOOLEAN" },
	{ "Unit", "SuccessAction", "ACTION" },
	{ "Unit", "SuccessActionExitStatus", "OTHER" },
	{ "Unit", "Upholds", "UNIT [...]" },
	{ "Unit", "Wants", "UNIT [...]" },
};

static int
directive_cmp(const void *a, const void *b)
{
	const struct directive *x = a, *y = b;
	int r = strcmp(x->section, y->section);

	return r ? r : strcmp(x->key, y->key);
}

static const struct directive *
directive_find(const char *section, const char *key)
{
	struct directive k = { section, key, NULL };

	return bsearch(&k, directives, sizeof(directives) / sizeof(directives[0]),
		       sizeof(directives[0]), directive_cmp);
}

/* How an assignment is applied. */
enum kind {
	K_SCALAR,	 /* last wins, raw */
	K_SCALAR_PRINTF, /* last wins, specifiers resolved */
	K_LIST,		 /* words appended, specifiers resolved, empty resets */
	K_LIST_RAW,	 /* words appended, no specifiers, empty resets */
	K_LIST_LINE,	 /* the whole value is one item, specifiers resolved */
	K_DEPS,		 /* unit names appended, never reset */
	K_INSTALL,	 /* [Install] lists: the manager ignores them */
	K_EXEC,
	K_ENV,
	K_ENVFILE,
	K_ENV_NAMES, /* PassEnvironment=, UnsetEnvironment= */
	K_STATUS,    /* SuccessExitStatus= and co: exit codes and signals */
	K_USER,
	K_SUPP_GROUPS,
	K_EXEC_DIR,
	K_PIDFILE,
	K_WORKDIR,
	K_BOOL,
	K_TIME,
	K_SIGNAL,
	K_MODE,
	K_RLIMIT,
	K_NICE,
	K_OOM,
	K_ENUM,
	K_OUTPUT,
	K_INPUT,
};

static const char *const sections[] = { "Unit", "Service", "Install", NULL };

static const char *const enum_type[] = { "simple", "exec",   "forking", "oneshot",
					 "dbus",   "notify", "idle",	NULL };
static const char *const enum_restart[] = { "no",	   "on-success",  "on-failure",
					    "on-abnormal", "on-watchdog", "on-abort",
					    "always",	   NULL };
static const char *const enum_killmode[] = { "control-group", "process", "mixed", "none", NULL };
static const char *const enum_access[] = { "none", "main", "exec", "all", NULL };
static const char *const enum_exittype[] = { "main", "cgroup", NULL };

static enum kind
directive_kind(const struct directive *dr)
{
	static const struct {
		const char *key;
		enum kind kind;
	} over[] = {
		{ "User", K_USER },
		{ "Group", K_USER },
		{ "SupplementaryGroups", K_SUPP_GROUPS },
		{ "RuntimeDirectory", K_EXEC_DIR },
		{ "StateDirectory", K_EXEC_DIR },
		{ "CacheDirectory", K_EXEC_DIR },
		{ "LogsDirectory", K_EXEC_DIR },
		{ "ConfigurationDirectory", K_EXEC_DIR },
		{ "PIDFile", K_PIDFILE },
		{ "WorkingDirectory", K_WORKDIR },
		{ "PassEnvironment", K_ENV_NAMES },
		{ "UnsetEnvironment", K_ENV_NAMES },
		{ "TimeoutStopSec", K_TIME },
		{ "TimeoutAbortSec", K_TIME },
		{ "Documentation", K_LIST },
		{ "OOMScoreAdjust", K_OOM },
		{ "ExecSearchPath", K_SCALAR_PRINTF },
		{ "DeviceAllow", K_LIST_LINE },
		{ "LogExtraFields", K_LIST },
		{ "SetCredential", K_LIST_LINE },
		{ "LoadCredential", K_LIST_LINE },
		{ "SetCredentialEncrypted", K_LIST_LINE },
		{ "LoadCredentialEncrypted", K_LIST_LINE },
		{ "TemporaryFileSystem", K_LIST },
		{ "IPAddressAllow", K_LIST_RAW },
		{ "IPAddressDeny", K_LIST_RAW },
		{ "Sockets", K_DEPS },
		{ "Slice", K_SCALAR_PRINTF },
	};
	const char *t = dr->type;

	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++)
		if (!strcmp(over[i].key, dr->key))
			return over[i].kind;
	if (!strcmp(dr->section, "Install"))
		return strcmp(dr->key, "DefaultInstance") ? K_INSTALL : K_SCALAR;
	if (!strncmp(dr->key, "Limit", 5) && !strcmp(t, "LIMIT"))
		return K_RLIMIT;
	if (!strcmp(t, "PATH [ARGUMENT [...]]"))
		return K_EXEC;
	if (!strcmp(t, "ENVIRON"))
		return K_ENV;
	if (!strcmp(t, "FILE"))
		return K_ENVFILE;
	if (!strcmp(t, "UNIT [...]"))
		return K_DEPS;
	if (!strcmp(t, "CONDITION"))
		return K_LIST_LINE;
	if (!strcmp(t, "PATH [...]") || !strcmp(t, "PATH[:PATH[:OPTIONS]] [...]"))
		return K_LIST;
	if (!strcmp(t, "STATUS"))
		return K_STATUS;
	if (!strcmp(t, "SYSCALLS") || !strcmp(t, "FAMILIES") || !strcmp(t, "BOUNDINGSET") ||
	    !strcmp(t, "ARCHS") || !strcmp(t, "FILESYSTEMS") || !strcmp(t, "NAMESPACES") ||
	    !strcmp(t, "MOUNTFLAG [...]"))
		return K_LIST_RAW;
	if (!strcmp(t, "BOOLEAN"))
		return K_BOOL;
	if (!strcmp(t, "SECONDS"))
		return K_TIME;
	if (!strcmp(t, "SIGNAL"))
		return K_SIGNAL;
	if (!strcmp(t, "MODE") && strstr(dr->key, "Mode"))
		return K_MODE;
	if (!strcmp(dr->key, "UMask"))
		return K_MODE;
	if (!strcmp(t, "NICE"))
		return K_NICE;
	if (!strcmp(t, "SERVICETYPE") || !strcmp(t, "SERVICERESTART") || !strcmp(t, "KILLMODE") ||
	    !strcmp(t, "ACCESS") || !strcmp(t, "SERVICEEXITTYPE"))
		return K_ENUM;
	if (!strcmp(t, "OUTPUT"))
		return K_OUTPUT;
	if (!strcmp(t, "INPUT"))
		return K_INPUT;
	if (!strcmp(t, "STRING") || !strcmp(t, "PATH") || !strcmp(t, "OTHER") ||
	    !strcmp(t, "LABEL") || !strcmp(t, "URL") || !strcmp(t, "SLICE"))
		return K_SCALAR_PRINTF;
	return K_SCALAR;
}

/* Private storage behind struct unit. */
struct store {
	char **files; /* every file name a loc points at */
	size_t n_files;
	char **aliases; /* other names the unit was found under */
	size_t n_aliases;
};

struct loader {
	struct unit *u;
	struct store *st;
	struct diag *d;
	struct spec_ctx spec;
	const char *file; /* current file, owned by st */
	const char *root;
	bool bus_name;
};

static int
store_file(struct store *st, const char *file, const char **ret)
{
	char **v = realloc(st->files, (st->n_files + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	st->files = v;
	v[st->n_files] = strdup(file);
	if (!v[st->n_files])
		return -ENOMEM;
	*ret = v[st->n_files++];
	return 0;
}

static int
strv_push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*n + 2) * sizeof(**v));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	*v = nv;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	return 0;
}

static void
strv_clear(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static struct setting *
setting_get(struct loader *L, const struct directive *dr, bool is_list, unsigned line)
{
	struct unit *u = L->u;
	struct setting *s;

	for (size_t i = 0; i < u->n_settings; i++)
		if (u->settings[i].section == dr->section && u->settings[i].key == dr->key) {
			s = &u->settings[i];
			goto found;
		}
	s = realloc(u->settings, (u->n_settings + 1) * sizeof(*s));
	if (!s)
		return NULL;
	u->settings = s;
	s = &u->settings[u->n_settings++];
	memset(s, 0, sizeof(*s));
	s->section = dr->section;
	s->key = dr->key;
	s->is_list = is_list;
found:
	s->loc.file = L->file;
	s->loc.line = line;
	return s;
}

/* Sets a scalar (value taken over; NULL unsets). */
static int
set_scalar(struct loader *L, const struct directive *dr, char *value, unsigned line)
{
	struct setting *s = setting_get(L, dr, false, line);

	if (!s) {
		free(value);
		return -ENOMEM;
	}
	strv_clear(&s->values, &s->n_values);
	if (!value)
		return 0;
	return strv_push(&s->values, &s->n_values, value);
}

static int
list_reset(struct loader *L, const struct directive *dr, unsigned line)
{
	struct setting *s = setting_get(L, dr, true, line);

	if (!s)
		return -ENOMEM;
	strv_clear(&s->values, &s->n_values);
	return 0;
}

static int
list_add(struct loader *L, const struct directive *dr, char *value, unsigned line, bool dedup)
{
	struct setting *s = setting_get(L, dr, true, line);

	if (!s) {
		free(value);
		return -ENOMEM;
	}
	if (dedup)
		for (size_t i = 0; i < s->n_values; i++)
			if (!strcmp(s->values[i], value)) {
				free(value);
				return 0;
			}
	return strv_push(&s->values, &s->n_values, value);
}

static int
resolve(void *ctx, const char *in, char **out)
{
	struct loader *L = ctx;

	return spec_expand(&L->spec, in, UNIT_LINE_MAX, out);
}

static int
resolve_path(struct loader *L, const char *in, char **out)
{
	return spec_expand(&L->spec, in, PATH_MAX, out);
}

#define WARN(...) diag_add(L->d, L->file, line, DIAG_WARNING, __VA_ARGS__)
#define ERR(...)  diag_add(L->d, L->file, line, DIAG_ERROR, __VA_ARGS__)

/* systemd's path_simplify_and_warn(). Returns 0 or -EINVAL (warned). */
enum { PATH_ABSOLUTE = 1, PATH_RELATIVE = 2, PATH_FATAL = 4, PATH_FATAL_MSG = 8 };
/* PATH_FATAL_MSG: systemd's PATH_CHECK_FATAL message (no ", ignoring") for a
 * value that is nonetheless only dropped (StandardOutput=file:rel). */
static int
path_check(struct loader *L, unsigned line, const char *key, char *path, unsigned flags)
{
	const char *ign = (flags & (PATH_FATAL | PATH_FATAL_MSG)) ? "" : ", ignoring";
	enum diag_severity sev = (flags & PATH_FATAL) ? DIAG_ERROR : DIAG_WARNING;
	bool abs = path[0] == '/';

	if (!abs && (flags & PATH_ABSOLUTE)) {
		diag_add(L->d, L->file, line, sev, "%s= path is not absolute%s: %s", key, ign,
			 path);
		return -EINVAL;
	}
	if (abs && (flags & PATH_RELATIVE)) {
		diag_add(L->d, L->file, line, sev, "%s= path is absolute%s: %s", key, ign, path);
		return -EINVAL;
	}
	path_simplify(path);
	if (!path_is_valid(path)) {
		diag_add(L->d, L->file, line, sev, "%s= path has invalid length (%zu bytes)%s.",
			 key, strlen(path), ign);
		return -EINVAL;
	}
	if (!path_is_normalized(path)) {
		diag_add(L->d, L->file, line, sev, "%s= path is not normalized%s: %s", key, ign,
			 path);
		return -EINVAL;
	}
	return 0;
}

static bool
only_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* valid_user_group_name(VALID_USER_ALLOW_NUMERIC|VALID_USER_RELAX). */
static bool
user_name_ok(const char *s)
{
	if (!*s)
		return false;
	if (only_digits(s)) {
		char *e;
		unsigned long long v = strtoull(s, &e, 10);

		return strlen(s) <= 10 && v < 4294967295ULL && v != 65535;
	}
	if (s[0] == '-' && only_digits(s + 1))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p == 0x7f || *p == ':' || *p == '/')
			return false;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strlen(s) <= 255;
}

/* systemd 252's env_assignment_is_valid(): a name of [A-Za-z0-9_] not
 * starting with a digit, then '=', then a value that only has to be valid
 * UTF-8 (env_value_is_valid(): control characters such as ESC, DEL or SOH
 * are allowed). The ARG_MAX length limits cannot be reached: a unit line is
 * at most 1 MiB. */
/* systemd's env_name_is_valid_n(): the first n bytes of s. */
static bool
env_name_ok(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (const char *p = s; p < s + n; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool
env_assignment_ok(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq && env_name_ok(s, (size_t)(eq - s)) && utf8_is_valid(eq + 1);
}

static int
env_replace(struct unit *u, char *assign)
{
	size_t nl = (size_t)(strchr(assign, '=') - assign);

	for (size_t i = 0; i < u->n_environment; i++)
		if (!strncmp(u->environment[i], assign, nl + 1)) {
			free(u->environment[i]);
			u->environment[i] = assign;
			return 0;
		}
	return strv_push(&u->environment, &u->n_environment, assign);
}

static struct exec_list *
exec_list_get(struct unit *u, const char *key)
{
	struct exec_list *e;

	for (size_t i = 0; i < u->n_exec; i++)
		if (u->exec[i].key == key)
			return &u->exec[i];
	e = realloc(u->exec, (u->n_exec + 1) * sizeof(*e));
	if (!e)
		return NULL;
	u->exec = e;
	e = &u->exec[u->n_exec++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

static void
exec_list_clear(struct exec_list *e)
{
	for (size_t i = 0; i < e->n; i++)
		exec_command_done(&e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

static bool
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* StandardOutput=/StandardError=/StandardInput= values that take a path. */
static const char *
std_path_prefix(const char *v)
{
	static const char *const pfx[] = { "file:", "append:", "truncate:", "fd:", NULL };

	for (size_t i = 0; pfx[i]; i++)
		if (!strncmp(v, pfx[i], strlen(pfx[i])))
			return pfx[i];
	return NULL;
}

static int
apply_words(struct loader *L, const struct directive *dr, const char *value, unsigned line,
	    unsigned flags, bool printf_, bool reset, bool dedup)
{
	const char *p = value;

	if (!*value)
		return reset ? list_reset(L, dr, line) : 0;
	for (;;) {
		char *w = NULL, *res = NULL;
		int r = word_extract(&p, &w, NULL, flags);

		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Invalid syntax, ignoring: %s", value);
			return 0;
		}
		if (r == 0)
			return 0;
		if (printf_) {
			r = resolve(L, w, &res);
			if (r == -ENOMEM) {
				free(w);
				return r;
			}
			if (r < 0) {
				WARN("Failed to resolve unit specifiers in %s, ignoring: %s", w,
				     strerror(-r));
				free(w);
				continue;
			}
			free(w);
			w = res;
		}
		r = list_add(L, dr, w, line, dedup);
		if (r < 0)
			return r;
	}
}

/* Adds one *Directory= item the way exec_directory_add() does: one entry
 * per directory; a symlink (SRC:DST, systemd >= 250) is attached to its
 * directory. Items are "SRC" or "SRC:DST" (one item per symlink), with ':'
 * and '\' inside SRC written as "\:" and "\\" so that the first bare ':'
 * always ends SRC. */
static int
exec_dir_add(struct loader *L, const struct directive *dr, const char *src, const char *dst,
	     unsigned line)
{
	struct setting *s = setting_get(L, dr, true, line);
	size_t n = strlen(src);
	char *esc = malloc(n * 2 + 1), *o = esc, *item;

	if (!s || !esc) {
		free(esc);
		return -ENOMEM;
	}
	for (const char *p = src; *p; p++) {
		if (*p == ':' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	n = strlen(esc);
	for (size_t i = 0; i < s->n_values; i++) {
		const char *v = s->values[i];

		if (strncmp(v, esc, n) || (v[n] && v[n] != ':'))
			continue;
		if (!dst || (v[n] == ':' && !strcmp(v + n + 1, dst))) {
			free(esc); /* the directory (or this very symlink) is there */
			return 0;
		}
		if (!v[n]) {
			/* A plain entry gets the symlink attached. */
			if (asprintf(&item, "%s:%s", esc, dst) < 0) {
				free(esc);
				return -ENOMEM;
			}
			free(s->values[i]);
			s->values[i] = item;
			free(esc);
			return 0;
		}
	}
	if (dst) {
		if (asprintf(&item, "%s:%s", esc, dst) < 0)
			item = NULL;
		free(esc);
	} else
		item = esc;
	return strv_push(&s->values, &s->n_values, item);
}

/* PassEnvironment= (config_parse_pass_environ(): quotes, no C escapes, a
 * variable name per word) and UnsetEnvironment= (config_parse_unset_environ():
 * C escapes too, a name or a NAME=VALUE assignment). Duplicates are dropped;
 * a quoting/escape error keeps the words before it. */
static int
apply_env_names(struct loader *L, const struct directive *dr, const char *value, unsigned line)
{
	bool unset = !strcmp(dr->key, "UnsetEnvironment");
	const char *p = value;

	if (!*value)
		return list_reset(L, dr, line);
	for (;;) {
		char *w = NULL, *res = NULL;
		int r = word_extract(&p, &w, NULL, WORD_UNQUOTE | (unset ? WORD_CUNESCAPE : 0));

		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Trailing garbage in %s, ignoring: %s", dr->key, value);
			return 0;
		}
		if (r == 0)
			return 0;
		r = resolve(L, w, &res);
		if (r == -ENOMEM) {
			free(w);
			return r;
		}
		if (r < 0) {
			WARN("Failed to resolve %sspecifiers in %s, ignoring: %s",
			     unset ? "unit " : "", w, strerror(-r));
			free(w);
			continue;
		}
		free(w);
		if (!env_name_ok(res, strlen(res)) && !(unset && env_assignment_ok(res))) {
			if (unset)
				WARN("Invalid environment name or assignment %s, ignoring: %s",
				     dr->key, res);
			else
				WARN("Invalid environment name for %s, ignoring: %s", dr->key, res);
			free(res);
			continue;
		}
		r = list_add(L, dr, res, line, true);
		if (r < 0)
			return r;
	}
}

/* A unit name a dependency may point at: plain, instance or template, of
 * a known unit type. */
static bool
dep_name_ok(const char *n)
{
	static const char *const types[] = { ".service", ".socket",    ".target", ".device",
					     ".mount",	 ".automount", ".swap",	  ".timer",
					     ".path",	 ".slice",     ".scope",  NULL };
	const char *dot = strrchr(n, '.');

	return unit_name_is_valid(n) && dot && in_list(types, dot);
}

/* Keys systemd 252 still reads but warns about. */
static void
warn_deprecated(struct loader *L, const char *key, unsigned line)
{
	static const struct {
		const char *old, *new;
	} t[] = {
		{ "CPUShares", "CPUWeight" },
		{ "StartupCPUShares", "StartupCPUWeight" },
		{ "MemoryLimit", "MemoryMax" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(key, t[i].old))
			WARN("Unit uses %s=; please use %s= instead. Support for %s= will be removed soon.",
			     t[i].old, t[i].new, t[i].old);
}

/* Applies one assignment. Returns 0, -ENOEXEC (unit refused: bad-setting),
 * -EINVAL (the file fails to load: error) or -ENOMEM. */
static int
apply(void *userdata, const char *section, const char *key, const char *value, unsigned line)
{
	struct loader *L = userdata;
	const struct directive *dr = directive_find(section, key);
	enum kind kind;
	char *res = NULL;
	int r;

	if (!dr) {
		if (strncmp(key, "X-", 2))
			WARN("Unknown key '%s' in section [%s], ignoring.", key, section);
		return 0;
	}
	kind = directive_kind(dr);
	if (*value)
		warn_deprecated(L, dr->key, line);
	switch (kind) {
	case K_EXEC: {
		struct exec_list *e = exec_list_get(L->u, dr->key);
		size_t before;

		if (!e)
			return -ENOMEM;
		if (!*value) {
			exec_list_clear(e);
			return 0;
		}
		before = e->n;
		r = exec_parse(value, resolve, L, &e->v, &e->n, L->d, L->file, line);
		for (size_t i = before; i < e->n; i++) {
			e->v[i].loc.file = L->file;
			e->v[i].loc.line = line;
		}
		return r;
	}
	case K_ENV: {
		const char *p = value;

		if (!*value) {
			strv_clear(&L->u->environment, &L->u->n_environment);
			return 0;
		}
		for (;;) {
			char *w;

			r = word_extract(&p, &w, NULL, WORD_CUNESCAPE | WORD_UNQUOTE);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				WARN("Invalid syntax, ignoring: %s", value);
				return 0;
			}
			if (r == 0)
				return 0;
			r = resolve(L, w, &res);
			if (r == -ENOMEM) {
				free(w);
				return r;
			}
			if (r < 0) {
				WARN("Failed to resolve specifiers in %s, ignoring: %s", w,
				     strerror(-r));
				free(w);
				continue;
			}
			free(w);
			if (!env_assignment_ok(res)) {
				WARN("Invalid environment assignment, ignoring: %s", res);
				free(res);
				continue;
			}
			r = env_replace(L->u, res);
			if (r < 0)
				return r;
		}
	}
	case K_ENVFILE:
		if (!*value)
			return list_reset(L, dr, line);
		r = resolve_path(L, value, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Failed to resolve unit specifiers in '%s', ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		if (path_check(L, line, dr->key, res[0] == '-' ? res + 1 : res, PATH_ABSOLUTE) <
		    0) {
			free(res);
			return 0;
		}
		return list_add(L, dr, res, line, false);
	case K_USER:
		if (!*value)
			return set_scalar(L, dr, NULL, line);
		r = resolve(L, value, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			ERR("Failed to resolve unit specifiers in %s: %s", value, strerror(-r));
			return -ENOEXEC;
		}
		if (!user_name_ok(res)) {
			ERR("Invalid user/group name or numeric ID: %s", res);
			free(res);
			return -ENOEXEC;
		}
		if (!strcmp(dr->key, "User") && !strcmp(res, "nobody"))
			WARN("Special user nobody configured, this is not safe!");
		return set_scalar(L, dr, res, line);
	case K_SUPP_GROUPS: {
		const char *p = value;

		if (!*value)
			return list_reset(L, dr, line);
		for (;;) {
			char *w;

			r = word_extract(&p, &w, NULL, 0);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				WARN("Invalid syntax, ignoring: %s", value);
				return 0;
			}
			if (r == 0)
				return 0;
			r = resolve(L, w, &res);
			if (r == -ENOMEM) {
				free(w);
				return r;
			}
			if (r < 0) {
				ERR("Failed to resolve unit specifiers in %s: %s", w, strerror(-r));
				free(w);
				return -ENOEXEC;
			}
			free(w);
			if (!user_name_ok(res)) {
				ERR("Invalid user/group name or numeric ID: %s", res);
				free(res);
				return -ENOEXEC;
			}
			r = list_add(L, dr, res, line, false);
			if (r < 0)
				return r;
		}
	}
	case K_EXEC_DIR: {
		const char *p = value;

		if (!*value)
			return list_reset(L, dr, line);
		for (;;) {
			char *tuple, *src = NULL;
			const char *type;

			r = word_extract(&p, &tuple, NULL, WORD_UNQUOTE | WORD_RETAIN_ESCAPE);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				WARN("Invalid syntax %s=%s, ignoring: %s", dr->key, value,
				     strerror(-r));
				return 0;
			}
			if (r == 0)
				return 0;
			type = tuple;
			r = word_extract(&type, &src, ":",
					 WORD_CUNESCAPE | WORD_UNESCAPE_SEPARATORS);
			if (r <= 0) {
				if (r == -ENOMEM) {
					free(tuple);
					return r;
				}
				WARN("Invalid syntax in %s=, ignoring: %s", dr->key, tuple);
				free(tuple);
				continue;
			}
			r = resolve_path(L, src, &res);
			if (r < 0) {
				if (r != -ENOMEM)
					WARN("Failed to resolve unit specifiers in \"%s\", ignoring: %s",
					     src, strerror(-r));
				free(src);
				free(tuple);
				if (r == -ENOMEM)
					return r;
				continue;
			}
			free(src);
			if (!utf8_is_valid(res)) {
				/* A \xHH escape can make the name invalid UTF-8. */
				char *shown = utf8_escape_invalid(res);

				WARN("String is not UTF-8 clean, ignoring assignment: %s",
				     shown ? shown : "");
				free(shown);
				free(res);
				free(tuple);
				continue;
			}
			if (path_check(L, line, dr->key, res, PATH_RELATIVE) < 0) {
				free(res);
				free(tuple);
				continue;
			}
			if (!strncmp(res, "private", 7) && (!res[7] || res[7] == '/')) {
				WARN("%s= path can't be 'private', ignoring: %s", dr->key, res);
				free(res);
				free(tuple);
				continue;
			}
			r = exec_dir_add(L, dr, res, type && *type ? type : NULL, line);
			free(res);
			free(tuple);
			if (r < 0)
				return r;
		}
	}
	case K_PIDFILE: {
		char *n;

		if (!*value)
			return set_scalar(L, dr, NULL, line);
		r = resolve_path(L, value, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Failed to resolve unit specifiers in '%s', ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		if (res[0] != '/') {
			if (asprintf(&n, "/run/%s", res) < 0) {
				free(res);
				return -ENOMEM;
			}
			free(res);
			res = n;
		}
		if (!strncmp(res, "/var/run/", 9)) {
			/* systemd 252 logs this rewrite at debug level only (the
			 * oracle shows it with SYSTEMD_LOG_LEVEL=debug): no warning. */
			const char *e = res + 9;

			while (*e == '/')
				e++;
			if (asprintf(&n, "/run/%s", e) < 0) {
				free(res);
				return -ENOMEM;
			}
			free(res);
			res = n;
		}
		if (path_check(L, line, dr->key, res, PATH_ABSOLUTE) < 0) {
			/* config_parse_pid_file() returns the error: the unit
			 * fails to load ("error"), despite the ", ignoring". */
			free(res);
			return -EINVAL;
		}
		return set_scalar(L, dr, res, line);
	}
	case K_WORKDIR: {
		bool missing_ok = value[0] == '-';
		const char *v = value + missing_ok;
		char *n;

		if (!*value)
			return set_scalar(L, dr, NULL, line);
		if (!strcmp(v, "~")) {
			n = strdup(value);
			return n ? set_scalar(L, dr, n, line) : -ENOMEM;
		}
		r = resolve_path(L, v, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			diag_add(
				L->d, L->file, line, missing_ok ? DIAG_WARNING : DIAG_ERROR,
				"Failed to resolve unit specifiers in working directory path '%s'%s: %s",
				v, missing_ok ? ", ignoring" : "", strerror(-r));
			return missing_ok ? 0 : -ENOEXEC;
		}
		if (path_check(L, line, dr->key, res,
			       PATH_ABSOLUTE | (missing_ok ? 0 : PATH_FATAL)) < 0) {
			free(res);
			return missing_ok ? 0 : -ENOEXEC;
		}
		if (missing_ok) {
			if (asprintf(&n, "-%s", res) < 0)
				n = NULL;
			free(res);
			res = n;
			if (!res)
				return -ENOMEM;
		}
		return set_scalar(L, dr, res, line);
	}
	case K_ENV_NAMES:
		return apply_env_names(L, dr, value, line);
	case K_STATUS: {
		/* config_parse_set_status(): plain words (quotes are not
		 * special), each an exit status or a signal name. */
		const char *p = value;

		if (!*value)
			return list_reset(L, dr, line);
		for (;;) {
			char *w;

			r = word_extract(&p, &w, NULL, 0);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				WARN("Invalid syntax, ignoring: %s", value);
				return 0;
			}
			if (r == 0)
				return 0;
			/* A number is an exit status only ("09" is no signal). */
			if (exit_status_from_string(w) < 0 &&
			    (isdigit((unsigned char)w[0]) || parse_signal(w) <= 0)) {
				WARN("Failed to parse value, ignoring: %s", w);
				free(w);
				continue;
			}
			r = list_add(L, dr, w, line, false);
			if (r < 0)
				return r;
		}
	}
	case K_LIST:
		return apply_words(L, dr, value, line, WORD_UNQUOTE, true, true, false);
	case K_LIST_RAW:
		return apply_words(L, dr, value, line, WORD_UNQUOTE, false, true, false);
	case K_DEPS: {
		struct setting *before;
		size_t n0;

		r = apply_words(L, dr, value, line, WORD_UNQUOTE | WORD_RETAIN_ESCAPE, true, false,
				true);
		if (r < 0)
			return r;
		/* Drop names systemd cannot add a dependency on. */
		before = setting_get(L, dr, true, line);
		if (!before)
			return -ENOMEM;
		n0 = 0;
		for (size_t i = 0; i < before->n_values; i++) {
			char *v = before->values[i];

			if (dep_name_ok(v))
				before->values[n0++] = v;
			else {
				WARN("Failed to add dependency on %s, ignoring: Invalid argument",
				     v);
				free(v);
			}
		}
		before->n_values = n0;
		if (before->values)
			before->values[n0] = NULL;
		return 0;
	}
	case K_INSTALL: {
		/* The manager does not read [Install]; show the words with
		 * specifiers resolved where they resolve, without warnings. */
		const char *p = value;

		if (!*value)
			return list_reset(L, dr, line);
		for (;;) {
			char *w;

			r = word_extract(&p, &w, NULL, WORD_UNQUOTE | WORD_RELAX);
			if (r <= 0)
				return r == -ENOMEM ? r : 0;
			if (resolve(L, w, &res) == 0) {
				free(w);
				w = res;
			}
			r = list_add(L, dr, w, line, false);
			if (r < 0)
				return r;
		}
	}
	case K_LIST_LINE:
		if (!*value)
			return list_reset(L, dr, line);
		r = resolve(L, value, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Failed to resolve unit specifiers in %s, ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		return list_add(L, dr, res, line, false);
	case K_BOOL:
		if (*value && parse_boolean(value) < 0) {
			WARN("Failed to parse boolean value, ignoring: %s", value);
			return 0;
		}
		break;
	case K_TIME: {
		uint64_t t;

		if (*value && parse_sec(value, &t) < 0) {
			if (!strcmp(dr->key, "TimeoutSec") || !strcmp(dr->key, "TimeoutStartSec"))
				WARN("Failed to parse %s= parameter, ignoring: %s", dr->key, value);
			else if (!strcmp(dr->key, "TimeoutStopSec") ||
				 !strcmp(dr->key, "TimeoutAbortSec"))
				WARN("Failed to parse time value, ignoring: %s", value);
			else
				WARN("Failed to parse sec value, ignoring: %s", value);
			return 0;
		}
		break;
	}
	case K_SIGNAL:
		if (*value && parse_signal(value) <= 0) {
			WARN("Failed to parse signal name, ignoring: %s", value);
			return 0;
		}
		break;
	case K_MODE: {
		unsigned m;

		if (*value && parse_mode(value, &m) < 0) {
			WARN("Failed to parse mode value, ignoring: %s", value);
			return 0;
		}
		break;
	}
	case K_RLIMIT: {
		uint64_t s, h;

		r = parse_rlimit(dr->key, value, &s, &h);
		if (r == -EILSEQ) {
			WARN("Soft resource limit chosen higher than hard limit, ignoring: %s",
			     value);
			return 0;
		}
		if (r < 0) {
			WARN("Failed to parse resource value, ignoring: %s", value);
			return 0;
		}
		break;
	}
	case K_NICE: {
		int n;

		r = *value ? parse_nice(value, &n) : 0;
		if (r == -ERANGE) {
			WARN("Nice priority out of range, ignoring: %s", value);
			return 0;
		}
		if (r < 0) {
			WARN("Failed to parse nice priority '%s', ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		break;
	}
	case K_OOM: {
		int n;

		r = *value ? parse_oom_score_adjust(value, &n) : 0;
		if (r == -ERANGE) {
			WARN("OOM score adjust value out of range, ignoring: %s", value);
			return 0;
		}
		if (r < 0) {
			WARN("Failed to parse the OOM score adjust value '%s', ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		break;
	}
	case K_ENUM: {
		const char *const *l = !strcmp(dr->type, "SERVICETYPE")	     ? enum_type
				       : !strcmp(dr->type, "SERVICERESTART") ? enum_restart
				       : !strcmp(dr->type, "KILLMODE")	     ? enum_killmode
				       : !strcmp(dr->type, "ACCESS")	     ? enum_access
									     : enum_exittype;
		const char *what = l == enum_type	? "service type"
				   : l == enum_restart	? "service restart specifier"
				   : l == enum_killmode ? "kill mode specification"
				   : l == enum_access	? "notify access specifier"
							: "service exit type";

		if (*value && !in_list(l, value)) {
			WARN("Failed to parse %s, ignoring: %s", what, value);
			return 0;
		}
		if (l == enum_killmode && !strcmp(value, "none"))
			WARN("Unit uses KillMode=none. This is unsafe, as it disables systemd's process lifecycle management for the service. Please update the service to use a safer KillMode=, such as 'mixed' or 'control-group'. Support for KillMode=none is deprecated and will eventually be removed.");
		break;
	}
	case K_OUTPUT:
	case K_INPUT: {
		static const char *const out_vals[] = {
			"inherit",	  "null",   "tty",
			"journal",	  "kmsg",   "journal+console",
			"kmsg+console",	  "socket", "syslog",
			"syslog+console", NULL
		};
		static const char *const in_vals[] = { "null",	 "tty",	 "tty-force", "tty-fail",
						       "socket", "data", NULL };
		const char *pfx = std_path_prefix(value);

		if (!*value)
			break;
		if (pfx && (kind == K_OUTPUT || strcmp(pfx, "append:"))) {
			char *n;

			r = resolve_path(L, value + strlen(pfx), &res);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				WARN("Failed to resolve unit specifiers in %s, ignoring: %s",
				     value + strlen(pfx), strerror(-r));
				return 0;
			}
			if (strcmp(pfx, "fd:") &&
			    path_check(L, line, dr->key, res, PATH_ABSOLUTE | PATH_FATAL_MSG) < 0) {
				free(res);
				return 0;
			}
			if (asprintf(&n, "%s%s", pfx, res) < 0)
				n = NULL;
			free(res);
			return n ? set_scalar(L, dr, n, line) : -ENOMEM;
		}
		if (!in_list(kind == K_OUTPUT ? out_vals : in_vals, value)) {
			WARN("Failed to parse %s specifier, ignoring: %s",
			     kind == K_OUTPUT ? "output" : "input", value);
			return 0;
		}
		if (!strncmp(value, "syslog", 6)) {
			WARN("Standard output type %s is obsolete, automatically updating to %s. Please update your unit file, and consider removing the setting altogether.",
			     value, value[6] ? "journal+console" : "journal");
			res = strdup(value[6] ? "journal+console" : "journal");
			return res ? set_scalar(L, dr, res, line) : -ENOMEM;
		}
		break;
	}
	case K_SCALAR_PRINTF:
		if (!*value) {
			if (!strcmp(dr->key, "Slice"))
				L->spec.slice = NULL;
			return set_scalar(L, dr, NULL, line);
		}
		r = resolve(L, value, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			WARN("Failed to resolve unit specifiers in %s, ignoring: %s", value,
			     strerror(-r));
			return 0;
		}
		if (!strcmp(dr->key, "BusName"))
			L->bus_name = true;
		if (!strcmp(dr->key, "Slice"))
			L->spec.slice = res;
		return set_scalar(L, dr, res, line);
	case K_SCALAR:
		break;
	}
	/* Validated scalars are kept as written. */
	if (!*value)
		return set_scalar(L, dr, NULL, line);
	res = strdup(value);
	return res ? set_scalar(L, dr, res, line) : -ENOMEM;
}

#undef WARN
#undef ERR

/* The system manager's unit search path, highest priority first
 * (`systemd-analyze unit-paths` on Debian 12). */
static const char *const search_path[] = {
	"/etc/systemd/system.control", "/run/systemd/system.control",
	"/run/systemd/transient",      "/run/systemd/generator.early",
	"/etc/systemd/system",	       "/etc/systemd/system.attached",
	"/run/systemd/system",	       "/run/systemd/system.attached",
	"/run/systemd/generator",      "/usr/local/lib/systemd/system",
	"/lib/systemd/system",	       "/usr/lib/systemd/system",
	"/run/systemd/generator.late", NULL,
};

#define FILE_MAX (64u * 1024u * 1024u)

static int
read_file(const char *path, char **ret, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k;

		if (n == cap) {
			char *nb;

			if (cap >= FILE_MAX) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			k = -errno;
			free(buf);
			close(fd);
			return (int)k;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*ret = buf;
	*ret_len = n;
	return 0;
}

static char *
join(const char *a, const char *b, const char *c)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, b, c ? c : "") < 0)
		return NULL;
	return s;
}

/* root + path, with root "/" or NULL meaning none. */
static char *
rooted(const char *root, const char *path)
{
	if (!root || !strcmp(root, "/") || !*root)
		return strdup(path);
	return join(root, path[0] == '/' ? "" : "/", path);
}

enum found { FOUND_NONE, FOUND_FILE, FOUND_MASKED };

/* Follows symlinks of the system path sys under root. On FOUND_FILE, *ret is
 * the final system path. */
static int
follow(const char *root, const char *sys, char **ret)
{
	char *cur = strdup(sys);

	if (!cur)
		return -ENOMEM;
	for (int hops = 0; hops < 40; hops++) {
		char *host = rooted(root, cur), target[PATH_MAX];
		struct stat st;
		ssize_t k;

		if (!host) {
			free(cur);
			return -ENOMEM;
		}
		if (lstat(host, &st) < 0) {
			free(host);
			free(cur);
			return FOUND_NONE;
		}
		if (!S_ISLNK(st.st_mode)) {
			if (S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)) {
				free(host);
				free(cur);
				return FOUND_MASKED;
			}
			free(host);
			if (!S_ISREG(st.st_mode)) {
				free(cur);
				return FOUND_NONE;
			}
			*ret = cur;
			return FOUND_FILE;
		}
		k = readlink(host, target, sizeof(target) - 1);
		free(host);
		if (k < 0) {
			free(cur);
			return FOUND_NONE;
		}
		target[k] = '\0';
		if (!strcmp(target, "/dev/null")) {
			free(cur);
			return FOUND_MASKED;
		}
		if (target[0] == '/') {
			free(cur);
			cur = strdup(target);
		} else {
			char *slash = strrchr(cur, '/');
			char *n;

			*slash = '\0';
			n = join(cur, "/", target);
			free(cur);
			cur = n;
		}
		if (!cur)
			return -ENOMEM;
	}
	free(cur);
	return FOUND_NONE;
}

/* Directory names (with ".d") to search for drop-ins of name, in systemd's
 * order: the name, its template, then its dash prefixes. */
static int
dropin_names(const char *name, char ***v, size_t *n)
{
	char *prefix = NULL, *inst = NULL, *suffix = NULL, *cur;
	int r = unit_name_split(name, &prefix, &inst, &suffix);

	if (r < 0)
		return 0;
	r = strv_push(v, n, join(name, ".d", NULL));
	if (r >= 0 && inst && *inst) {
		char *t = join(prefix, "@", suffix);

		r = t ? dropin_names(t, v, n) : -ENOMEM;
		free(t);
	}
	cur = prefix;
	while (r >= 0) {
		size_t l = strlen(cur);
		char *dash;

		if (l && cur[l - 1] == '-')
			cur[--l] = '\0';
		dash = strrchr(cur, '-');
		if (!dash || dash == cur)
			break;
		dash[1] = '\0';
		r = strv_push(v, n, join(cur, suffix, ".d"));
	}
	free(prefix);
	free(inst);
	free(suffix);
	return r < 0 ? r : 0;
}

static bool
conf_name_ok(const char *f)
{
	size_t l = strlen(f);

	return f[0] != '.' && l > 5 && !strcmp(f + l - 5, ".conf");
}

struct dropin {
	char *base;
	char *sys;   /* path as the system sees it */
	bool masked; /* /dev/null or empty: listed (systemd lists it) but not read */
};

static int
dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->base, ((const struct dropin *)b)->base);
}

/* Collects *.conf files from dirs (system paths, read under root): the first
 * directory to have a basename wins; /dev/null or empty files mask it. */
static int
collect_dropins(const char *root, char **dirs, size_t n_dirs, struct dropin **ret, size_t *ret_n)
{
	struct dropin *v = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < n_dirs && r >= 0; i++) {
		char *host = rooted(root, dirs[i]);
		struct dirent **ents = NULL;
		int k;

		if (!host)
			return -ENOMEM;
		k = scandir(host, &ents, NULL, alphasort);
		free(host);
		for (int j = 0; j < k; j++) {
			const char *f = ents[j]->d_name;
			bool dup = false;
			char *sys = NULL, *fin = NULL;
			int fr;

			if (r < 0 || !conf_name_ok(f))
				goto next;
			for (size_t m = 0; m < n; m++)
				if (!strcmp(v[m].base, f))
					dup = true;
			if (dup)
				goto next;
			sys = join(dirs[i], "/", f);
			if (!sys) {
				r = -ENOMEM;
				goto next;
			}
			fr = follow(root, sys, &fin);
			if (fr == FOUND_NONE)
				goto next;
			{
				struct dropin *nv = realloc(v, (n + 1) * sizeof(*v));

				if (!nv || fr < 0) {
					free(fin);
					r = -ENOMEM;
					goto next;
				}
				v = nv;
				v[n].base = strdup(f);
				v[n].sys = sys;
				v[n].masked = fr == FOUND_MASKED;
				sys = NULL;
				free(fin);
				n++;
			}
		next:
			free(sys);
			free(ents[j]);
		}
		free(ents);
	}
	if (n)
		qsort(v, n, sizeof(*v), dropin_cmp);
	*ret = v;
	*ret_n = n;
	return r;
}

static void
dropins_free(struct dropin *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].base);
		free(v[i].sys);
	}
	free(v);
}

/* Reads and applies one file. Returns 0, or the error that stops loading. */
static int
load_file(struct loader *L, const char *sys, const char *root)
{
	char *host = rooted(root, sys), *buf = NULL;
	size_t len = 0;
	int r;

	if (!host)
		return -ENOMEM;
	r = store_file(L->st, sys, &L->file);
	if (r < 0) {
		free(host);
		return r;
	}
	r = read_file(host, &buf, &len);
	free(host);
	if (r < 0) {
		diag_add(L->d, L->file, 0, DIAG_ERROR, "Failed to read file: %s", strerror(-r));
		return r == -ENOMEM ? r : -EIO;
	}
	r = unit_parse_cb(L->file, buf, len, sections, apply, L, L->d);
	free(buf);
	return r;
}

static const char *
scalar(const struct unit *u, const char *section, const char *key)
{
	const struct setting *s = unit_setting(u, section, key);

	return s && !s->is_list ? s->values[0] : NULL;
}

/* service_add_extras() + service_verify(): the checks after loading. */
static int
verify(struct loader *L)
{
	struct unit *u = L->u;
	const struct exec_list *start = unit_exec(u, "ExecStart"), *stop = unit_exec(u, "ExecStop");
	const char *type = scalar(u, "Service", "Type");
	const char *restart = scalar(u, "Service", "Restart");
	const char *rae = scalar(u, "Service", "RemainAfterExit");
	const char *sa = scalar(u, "Unit", "SuccessAction");
	const char *f = u->fragment;
	bool oneshot;

	if (!type)
		type = L->bus_name ? "dbus" : start ? "simple" : "oneshot";
	oneshot = !strcmp(type, "oneshot");
	if (!start && !stop && (!sa || !strcmp(sa, "none"))) {
		diag_add(L->d, f, 0, DIAG_ERROR,
			 "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.");
		return -ENOEXEC;
	}
	if (!oneshot && !start) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (!start && !(rae && parse_boolean(rae) == 1)) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has no ExecStart= setting, which is only allowed for RemainAfterExit=yes services. Refusing.");
		return -ENOEXEC;
	}
	if (!oneshot && start && start->n > 1) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (oneshot && restart && (!strcmp(restart, "always") || !strcmp(restart, "on-success"))) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (oneshot && scalar(u, "Service", "ExitType") &&
	    !strcmp(scalar(u, "Service", "ExitType"), "cgroup")) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.");
		return -ENOEXEC;
	}
	if (!strcmp(type, "dbus") && !L->bus_name) {
		diag_add(
			L->d, f, 0, DIAG_ERROR,
			"Service is of type D-Bus but no D-Bus service name has been specified. Refusing.");
		return -ENOEXEC;
	}
	if (scalar(u, "Service", "PAMName")) {
		const char *km = scalar(u, "Service", "KillMode");

		if (km && strcmp(km, "control-group") && strcmp(km, "mixed")) {
			diag_add(
				L->d, f, 0, DIAG_ERROR,
				"Service has PAM enabled. Kill mode must be set to 'control-group' or 'mixed'. Refusing.");
			return -ENOEXEC;
		}
	}
	return 0;
}

/* systemd's path_compare(): component by component, parents first. */
static int
path_cmp(const char *a, const char *b)
{
	for (;;) {
		size_t la, lb;
		int r;

		a += strspn(a, "/");
		b += strspn(b, "/");
		if (!*a || !*b)
			return (*a != 0) - (*b != 0);
		la = strcspn(a, "/");
		lb = strcspn(b, "/");
		r = memcmp(a, b, la < lb ? la : lb);
		if (r)
			return r;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += la;
		b += lb;
	}
}

/* The SRC of a *Directory= item (see exec_dir_add()), unescaped; malloc'd. */
static char *
exec_dir_src(const char *item)
{
	char *out = malloc(strlen(item) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = item; *p && *p != ':'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Orders *Directory= items by their directory, as systemd does. */
static int
exec_dir_qcmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	char *sx = exec_dir_src(x), *sy = exec_dir_src(y);
	int r = sx && sy ? path_cmp(sx, sy) : 0;

	free(sx);
	free(sy);
	return r ? r : strcmp(x, y);
}

/* systemd sorts *Directory= lists so that parents are created first. */
static void
sort_exec_dirs(struct unit *u)
{
	for (size_t i = 0; i < u->n_settings; i++)
		if (directive_kind(directive_find(u->settings[i].section, u->settings[i].key)) ==
			    K_EXEC_DIR &&
		    u->settings[i].n_values > 1)
			qsort(u->settings[i].values, u->settings[i].n_values, sizeof(char *),
			      exec_dir_qcmp);
}

static enum unit_state
state_from_error(int r)
{
	return r == -ENOEXEC ? UNIT_BAD_SETTING : UNIT_ERROR;
}

/* Finds name on the search path. Sets u->fragment/state; may rename u->name
 * (aliases) and records the requested name as an alias. */
static int
find_fragment(struct loader *L, const char *root)
{
	struct unit *u = L->u;
	char *prefix = NULL, *inst = NULL, *suffix = NULL, *tmpl = NULL;
	const char *try[2];
	int r = unit_name_split(u->name, &prefix, &inst, &suffix);

	if (r < 0)
		return r;
	try[0] = u->name;
	try[1] = NULL;
	if (inst && *inst) {
		tmpl = join(prefix, "@", suffix);
		if (!tmpl) {
			r = -ENOMEM;
			goto out;
		}
		try[1] = tmpl;
	}
	u->state = UNIT_NOT_FOUND;
	for (size_t t = 0; t < 2 && try[t]; t++)
		for (size_t i = 0; search_path[i]; i++) {
			char *sys = join(search_path[i], "/", try[t]), *fin = NULL;
			int f;

			if (!sys) {
				r = -ENOMEM;
				goto out;
			}
			f = follow(root, sys, &fin);
			free(sys);
			if (f < 0) {
				r = f;
				goto out;
			}
			if (f == FOUND_NONE)
				continue;
			if (f == FOUND_MASKED) {
				u->state = UNIT_MASKED;
				goto out;
			}
			u->fragment = fin;
			u->state = UNIT_LOADED;
			{
				/* An alias symlink: the unit takes the target's name. */
				const char *base = strrchr(fin, '/') + 1;
				char *bp = NULL, *bi = NULL, *bs = NULL, *nn = NULL;

				if (!unit_name_split(base, &bp, &bi, &bs) && !strcmp(bs, suffix) &&
				    strcmp(base, try[t])) {
					if (bi && !*bi && inst && *inst) {
						if (asprintf(&nn, "%s@%s%s", bp, inst, bs) < 0)
							nn = NULL;
					} else if (!bi || *bi)
						nn = strdup(base);
					if (nn) {
						r = strv_push(&L->st->aliases, &L->st->n_aliases,
							      u->name);
						u->name = nn;
						if (r < 0)
							goto out;
					}
				}
				free(bp);
				free(bi);
				free(bs);
			}
			goto out;
		}
out:
	free(prefix);
	free(inst);
	free(suffix);
	free(tmpl);
	return r < 0 ? r : 0;
}

int
unit_load(const char *unit, const struct load_options *o, struct unit *ret, struct diag *d)
{
	struct load_options none = { 0 };
	struct loader L = { 0 };
	struct store *st;
	struct unit *u = ret;
	const char *root, *base;
	char **dirs = NULL, **names = NULL, *dir_of_path = NULL;
	size_t n_dirs = 0, n_names = 0;
	struct dropin *dv = NULL;
	size_t dn = 0;
	bool is_path = strchr(unit, '/') != NULL;
	char *prefix = NULL, *inst = NULL, *suffix = NULL;
	int r;

	if (!o)
		o = &none;
	root = o->root && *o->root ? o->root : "/";
	memset(u, 0, sizeof(*u));
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	u->storage = st;
	L.u = u;
	L.st = st;
	L.d = d;
	L.root = root;

	base = is_path ? strrchr(unit, '/') + 1 : unit;
	if (unit_name_split(base, &prefix, &inst, &suffix) < 0 || strcmp(suffix, ".service")) {
		diag_add(d, NULL, 0, DIAG_ERROR, "not a valid service unit name: %s", base);
		r = -EINVAL;
		goto fail;
	}
	if (inst && !*inst) {
		if (!o->instance || !*o->instance) {
			diag_add(d, NULL, 0, DIAG_ERROR,
				 "Unit name %s is missing the instance name.", base);
			u->name = strdup(base);
			u->state = UNIT_ERROR;
			r = u->name ? 0 : -ENOMEM;
			goto done;
		}
		if (asprintf(&u->name, "%s@%s%s", prefix, o->instance, suffix) < 0)
			u->name = NULL;
		if (u->name && !unit_name_is_valid(u->name)) {
			diag_add(d, NULL, 0, DIAG_ERROR, "invalid instance name: %s", o->instance);
			r = -EINVAL;
			goto fail;
		}
	} else
		u->name = strdup(base);
	if (!u->name) {
		r = -ENOMEM;
		goto fail;
	}

	if (is_path) {
		char *fin = NULL;
		int f;

		dir_of_path = strndup(unit, (size_t)(base - unit - 1));
		if (!dir_of_path) {
			r = -ENOMEM;
			goto fail;
		}
		if (!*dir_of_path) {
			free(dir_of_path);
			dir_of_path = strdup("/");
		}
		f = dir_of_path ? follow(NULL, unit, &fin) : -ENOMEM;
		if (f < 0) {
			r = f;
			goto fail;
		}
		u->state = f == FOUND_FILE     ? UNIT_LOADED
			   : f == FOUND_MASKED ? UNIT_MASKED
					       : UNIT_NOT_FOUND;
		free(fin);
		if (f == FOUND_FILE) {
			u->fragment = strdup(unit);
			if (!u->fragment) {
				r = -ENOMEM;
				goto fail;
			}
		}
		r = strv_push(&dirs, &n_dirs, strdup(dir_of_path));
		if (r < 0)
			goto fail;
	} else {
		r = find_fragment(&L, root);
		if (r < 0)
			goto fail;
		for (size_t i = 0; search_path[i]; i++) {
			r = strv_push(&dirs, &n_dirs, strdup(search_path[i]));
			if (r < 0)
				goto fail;
		}
	}
	if (u->state != UNIT_LOADED) {
		if (u->state == UNIT_NOT_FOUND)
			diag_add(d, is_path ? unit : NULL, 0, DIAG_ERROR, "Unit %s not found.",
				 u->name);
		r = 0;
		goto done;
	}

	L.spec.name = u->name;
	L.spec.fragment = u->fragment;
	L.spec.root = is_path && (!o->root || !*o->root) ? "/" : root;

	/* Drop-in directories: every search dir x (the unit's names, then
	 * the type-wide "service.d"). */
	r = dropin_names(u->name, &names, &n_names);
	for (size_t i = 0; r >= 0 && i < st->n_aliases; i++)
		r = dropin_names(st->aliases[i], &names, &n_names);
	if (r < 0)
		goto fail;
	{
		char **full = NULL;
		size_t n_full = 0;

		for (size_t i = 0; r >= 0 && i < n_dirs; i++)
			for (size_t j = 0; r >= 0 && j < n_names; j++) {
				char *p = join(dirs[i], "/", names[j]);
				bool dup = false;

				for (size_t k = 0; p && k < n_full; k++)
					dup |= !strcmp(full[k], p);
				if (dup)
					free(p);
				else
					r = strv_push(&full, &n_full, p);
			}
		for (size_t i = 0; r >= 0 && i < n_dirs; i++)
			r = strv_push(&full, &n_full, join(dirs[i], "/service.d", NULL));
		if (r >= 0)
			r = collect_dropins(is_path ? NULL : root, full, n_full, &dv, &dn);
		strv_clear(&full, &n_full);
		if (r < 0)
			goto fail;
	}

	r = load_file(&L, u->fragment, is_path ? NULL : root);
	for (size_t i = 0; i < dn && r >= 0; i++) {
		r = strv_push(&u->dropins, &u->n_dropins, strdup(dv[i].sys));
		if (r >= 0 && !dv[i].masked)
			r = load_file(&L, dv[i].sys, is_path ? NULL : root);
	}
	if (r == -ENOMEM)
		goto fail;
	sort_exec_dirs(u);
	if (r >= 0)
		r = verify(&L);
	if (r < 0)
		u->state = state_from_error(r);
	r = 0;
	goto done;

fail:
	unit_done(u);
done:
	spec_ctx_done(&L.spec);
	dropins_free(dv, dn);
	strv_clear(&dirs, &n_dirs);
	strv_clear(&names, &n_names);
	free(dir_of_path);
	free(prefix);
	free(inst);
	free(suffix);
	return r;
}

const struct setting *
unit_setting(const struct unit *u, const char *section, const char *key)
{
	for (size_t i = 0; u && i < u->n_settings; i++)
		if (!strcmp(u->settings[i].section, section) && !strcmp(u->settings[i].key, key))
			return u->settings[i].n_values ? &u->settings[i] : NULL;
	return NULL;
}

const struct exec_list *
unit_exec(const struct unit *u, const char *key)
{
	for (size_t i = 0; u && i < u->n_exec; i++)
		if (!strcmp(u->exec[i].key, key))
			return u->exec[i].n ? &u->exec[i] : NULL;
	return NULL;
}

const char *
unit_state_name(enum unit_state s)
{
	switch (s) {
	case UNIT_LOADED:
		return "loaded";
	case UNIT_BAD_SETTING:
		return "bad-setting";
	case UNIT_ERROR:
		return "error";
	case UNIT_MASKED:
		return "masked";
	case UNIT_NOT_FOUND:
		return "not-found";
	}
	return "error";
}

void
unit_done(struct unit *u)
{
	struct store *st;

	if (!u)
		return;
	st = u->storage;
	free(u->name);
	free(u->fragment);
	strv_clear(&u->dropins, &u->n_dropins);
	for (size_t i = 0; i < u->n_settings; i++)
		strv_clear(&u->settings[i].values, &u->settings[i].n_values);
	free(u->settings);
	strv_clear(&u->environment, &u->n_environment);
	for (size_t i = 0; i < u->n_exec; i++)
		exec_list_clear(&u->exec[i]);
	free(u->exec);
	if (st) {
		strv_clear(&st->files, &st->n_files);
		strv_clear(&st->aliases, &st->n_aliases);
		free(st);
	}
	memset(u, 0, sizeof(*u));
}
