/* SPDX-License-Identifier: MIT */
/* table_socket: [Socket] of a .socket unit (systemd.socket(5), systemd 252's
 * load-fragment-gperf). ROW(key, store, check, translate, why), see table.h;
 * tr_ignore marks what tr_socket.c maps onto `klein-svc listen|accept`,
 * tr_drop what runit cannot do. Keep the rows sorted by key. */
#include "table.h"

#define WHY_LAZY                                                                                   \
	"there is no lazy activation: the service is started with the container, not by the "      \
	"first connection"
#define WHY_SOCK_EXEC                                                                              \
	"the socket's own commands are not run (klein-svc listen creates the sockets itself)"
#define WHY_MAC "there is no SMACK/SELinux labelling in the container"

static const struct directive rows[] = {
	ROW("Accept", store_checked, check_bool, tr_ignore, NULL),
	ROW("Backlog", store_scalar, NULL, tr_ignore, NULL),
	ROW("BindIPv6Only", store_scalar, NULL, tr_ignore, NULL),
	ROW("BindToDevice", store_scalar_spec, NULL, tr_ignore, NULL),
	ROW("Broadcast", store_checked, check_bool, tr_ignore, NULL),
	ROW("DeferAcceptSec", store_checked, check_sec, tr_ignore, NULL),
	ROW("DirectoryMode", store_checked, check_mode, tr_ignore, NULL),
	ROW("ExecStartPost", store_exec, NULL, tr_drop, WHY_SOCK_EXEC),
	ROW("ExecStartPre", store_exec, NULL, tr_drop, WHY_SOCK_EXEC),
	ROW("ExecStopPost", store_exec, NULL, tr_drop, WHY_SOCK_EXEC),
	ROW("ExecStopPre", store_exec, NULL, tr_drop, WHY_SOCK_EXEC),
	ROW("FileDescriptorName", store_scalar_spec, NULL, tr_ignore, NULL),
	ROW("FlushPending", store_checked, check_bool, tr_drop, WHY_LAZY),
	ROW("FreeBind", store_checked, check_bool, tr_ignore, NULL),
	ROW("IPTOS", store_scalar, NULL, tr_ignore, NULL),
	ROW("IPTTL", store_scalar, NULL, tr_ignore, NULL),
	ROW("KeepAlive", store_checked, check_bool, tr_ignore, NULL),
	ROW("KeepAliveIntervalSec", store_checked, check_sec, tr_ignore, NULL),
	ROW("KeepAliveProbes", store_scalar, NULL, tr_ignore, NULL),
	ROW("KeepAliveTimeSec", store_checked, check_sec, tr_ignore, NULL),
	ROW("ListenDatagram", store_listen, NULL, tr_ignore, NULL),
	ROW("ListenFIFO", store_listen, NULL, tr_ignore, NULL),
	ROW("ListenMessageQueue", store_line, NULL, tr_drop,
	    "POSIX message queues are not created (klein-svc listen has no mq_open)"),
	ROW("ListenNetlink", store_line, NULL, tr_drop,
	    "netlink sockets are not created (the container has no use for kernel events)"),
	ROW("ListenSequentialPacket", store_listen, NULL, tr_ignore, NULL),
	ROW("ListenSpecial", store_listen, NULL, tr_ignore, NULL),
	ROW("ListenStream", store_listen, NULL, tr_ignore, NULL),
	ROW("ListenUSBFunction", store_line, NULL, tr_drop,
	    "USB FunctionFS endpoints do not exist in a container"),
	ROW("Mark", store_scalar, NULL, tr_ignore, NULL),
	ROW("MaxConnections", store_scalar, NULL, tr_ignore, NULL),
	ROW("MaxConnectionsPerSource", store_scalar, NULL, tr_ignore, NULL),
	ROW("MessageQueueMaxMessages", store_scalar, NULL, tr_drop,
	    "POSIX message queues are not created"),
	ROW("MessageQueueMessageSize", store_scalar, NULL, tr_drop,
	    "POSIX message queues are not created"),
	ROW("NoDelay", store_checked, check_bool, tr_ignore, NULL),
	ROW("PassCredentials", store_checked, check_bool, tr_ignore, NULL),
	ROW("PassPacketInfo", store_checked, check_bool, tr_ignore, NULL),
	ROW("PassSecurity", store_checked, check_bool, tr_ignore, NULL),
	ROW("PipeSize", store_scalar, NULL, tr_ignore, NULL),
	ROW_V("PollLimitBurst", store_scalar, NULL, tr_drop, WHY_LAZY, 255, 0),
	ROW_V("PollLimitIntervalSec", store_checked, check_sec, tr_drop, WHY_LAZY, 255, 0),
	ROW("Priority", store_scalar, NULL, tr_ignore, NULL),
	ROW("ReceiveBuffer", store_scalar, NULL, tr_ignore, NULL),
	ROW("RemoveOnStop", store_checked, check_bool, tr_ignore, NULL),
	ROW("ReusePort", store_checked, check_bool, tr_ignore, NULL),
	ROW("SELinuxContextFromNet", store_checked, check_bool, tr_drop, WHY_MAC),
	ROW("SendBuffer", store_scalar, NULL, tr_ignore, NULL),
	ROW("Service", store_scalar_spec, NULL, tr_ignore, NULL),
	ROW("SmackLabel", store_scalar_spec, NULL, tr_drop, WHY_MAC),
	ROW("SmackLabelIPIn", store_scalar_spec, NULL, tr_drop, WHY_MAC),
	ROW("SmackLabelIPOut", store_scalar_spec, NULL, tr_drop, WHY_MAC),
	ROW("SocketGroup", store_scalar_spec, NULL, tr_ignore, NULL),
	ROW("SocketMode", store_checked, check_mode, tr_ignore, NULL),
	ROW("SocketProtocol", store_scalar, NULL, tr_drop,
	    "SCTP and UDP-Lite are not used: the socket is created with the default protocol"),
	ROW("SocketUser", store_scalar_spec, NULL, tr_ignore, NULL),
	ROW("Symlinks", store_words, NULL, tr_ignore, NULL),
	ROW("TCPCongestion", store_scalar, NULL, tr_drop,
	    "the congestion algorithm is not set (the kernel's default is used)"),
	ROW("TimeoutSec", store_checked, check_sec, tr_ignore, NULL),
	ROW("Timestamping", store_scalar, NULL, tr_ignore, NULL),
	ROW("Transparent", store_checked, check_bool, tr_ignore, NULL),
	ROW("TriggerLimitBurst", store_scalar, NULL, tr_drop, WHY_LAZY),
	ROW("TriggerLimitIntervalSec", store_checked, check_sec, tr_drop, WHY_LAZY),
	ROW("Writable", store_checked, check_bool, tr_ignore, NULL),
};

const struct section_table table_socket = { "Socket", rows, sizeof(rows) / sizeof(rows[0]) };
