# SPDX-License-Identifier: MIT
# The Klein base image: runit's runsvdir under klein-init, klein-svc for the
# converted services, and klein-porter to convert a package's systemd units.
#
#   docker build --build-arg BASE=klein-base:trixie -t klein .
#   (or: cmake --build build --target image, which builds that base first)
#
# BASE is any Debian 12 or 13 / Ubuntu LTS image; apt must reach its archive.
ARG BASE=ubuntu:24.04

# --- build: a release build of the three programs, installed under /out ---
FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      cmake make gcc libc6-dev pkg-config libconfuse-dev libjson-c-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
# INIT_STATIC: klein-init and klein-svc are linked statically. Everything is
# installed under /usr; the usrmerge'd /sbin makes /sbin/klein-init the same
# file. A project that installs to /sbin or /bin is folded into /usr so the
# COPY below can never replace the base's /sbin -> usr/sbin symlink.
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DINIT_STATIC=ON -DCMAKE_INSTALL_PREFIX=/usr >/dev/null \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/out cmake --install /build >/dev/null \
 && for d in bin sbin lib; do \
      if [ -d /out/$d ]; then mkdir -p /out/usr/$d && cp -a /out/$d/. /out/usr/$d/ && rm -rf /out/$d; fi; \
    done \
 && for p in sbin/klein-init sbin/klein-svc bin/klein-porter; do \
      test -x /out/usr/$p || { echo "Dockerfile: the build installed no /usr/$p" >&2; exit 1; }; \
    done \
 && test -x /out/usr/bin/klein-systemctl && test -L /out/usr/bin/klein-journalctl

# --- the image ---
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
# runit, klein-porter's two shared libraries, systemd-tmpfiles (for
# /etc/init/00-klein-tmpfiles) and systemd-sysusers (so that packages which
# need "systemd | systemd-standalone-sysusers", like Debian 13's
# openssh-server, do not pull in systemd itself); klein-base:* has them
# already, an Ubuntu or Debian image from a registry gets them here.
RUN missing=; \
    for p in runit libjson-c5 libconfuse2; do \
      dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; \
    done; \
    command -v systemd-tmpfiles >/dev/null || missing="$missing systemd-standalone-tmpfiles"; \
    command -v systemd-sysusers >/dev/null || missing="$missing systemd-standalone-sysusers"; \
    if [ -n "$missing" ]; then \
      apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# /etc/service is Klein's: only what klein-porter (or you) put there runs
# (Debian's runit makes it a symlink into /etc/runit/runsvdir). Services
# come from systemd units, converted by klein-porter into /etc/sv. The runit scripts a few Debian packages ship (openssh-server's /etc/sv/ssh)
# would collide with those, so dpkg does not install them and runit-helper,
# which would enable them, does nothing (diverted at the path dpkg knows it
# by: /lib/runit-helper in Debian 12, /usr/lib/runit-helper in Debian 13).
# e2scrub_reap (e2fsprogs, enabled in every Debian) checks LVM snapshots of
# the host's disks: meaningless in a container, so not enabled here.
RUN if [ -L /etc/service ]; then rm /etc/service; fi \
 && printf '%s\n' '# Klein: services come from units (klein-porter), not packaged runit scripts.' \
      'path-exclude /etc/sv/*' >/etc/dpkg/dpkg.cfg.d/klein-no-runscripts \
 && rh=$(dpkg-query -L runit-helper 2>/dev/null | grep '/runit-helper/runit-helper$' | head -n 1) \
 && if [ -n "$rh" ]; then \
      dpkg-divert --quiet --local --rename --add "$rh" \
      && printf '#!/bin/sh\n# Klein: packaged runit scripts are not used (see /etc/dpkg/dpkg.cfg.d/klein-no-runscripts).\nexit 0\n' \
           >"$rh" \
      && chmod 755 "$rh"; \
    fi \
 && rm -f /etc/systemd/system/multi-user.target.wants/e2scrub_reap.service \
 && mkdir -p /etc/service /etc/sv /etc/init \
 && { [ -e /usr/sbin/policy-rc.d ] || printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; } \
 && chmod 755 /usr/sbin/policy-rc.d
COPY --from=build /out/ /
COPY image/00-klein-tmpfiles /etc/init/00-klein-tmpfiles
# systemctl, journalctl, service and invoke-rc.d are Klein's (docs/systemctl.md):
# dpkg-diverted, so a package that pulls in the real systemd later installs its
# programs as *.distrib and never replaces these; nothing creates
# /run/systemd/system, so daemons never believe systemd is PID 1. policy-rc.d
# allows actions only while runsvdir runs (not during docker build). Init
# scripts of converted services hand start/stop/... to systemctl (35-klein).
# deb-systemd-helper runs Debian's, then restarts a converted unit as the
# postinst's systemd-only snippet would (image/klein-deb-systemd-helper).
COPY image/klein-rc image/klein-policy-rc.d image/klein-lsb-hook image/klein-deb-systemd-helper \
     /usr/lib/klein/
RUN for f in /bin/systemctl /usr/bin/systemctl /bin/journalctl /usr/bin/journalctl \
      /usr/sbin/service /usr/sbin/invoke-rc.d; do \
      dpkg-divert --quiet --local --rename --add "$f"; \
    done \
 && dsh=/usr/bin/deb-systemd-helper \
 && dpkg-divert --quiet --local --no-rename --add "$dsh" \
 && cp -p "$dsh" "$dsh.distrib" && ln -sf /usr/lib/klein/klein-deb-systemd-helper "$dsh" \
 && ln -sf klein-systemctl /usr/bin/systemctl && ln -sf klein-journalctl /usr/bin/journalctl \
 && ln -sf /usr/lib/klein/klein-rc /usr/sbin/service \
 && ln -sf /usr/lib/klein/klein-rc /usr/sbin/invoke-rc.d \
 && install -m 755 /usr/lib/klein/klein-policy-rc.d /usr/sbin/policy-rc.d \
 && install -D -m 644 /usr/lib/klein/klein-lsb-hook /lib/lsb/init-functions.d/35-klein \
 && mkdir -p /etc/runit && : >/etc/runit/lsb.runit.sysv
RUN klein-porter --version >/dev/null && test -x /usr/sbin/klein-init && test -x /usr/sbin/klein-svc \
 && systemctl --version | grep -q Klein

# Healthy when every enabled service is up and its readiness check passes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["klein-svc", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/sbin/klein-init"]
