#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gst_rtsp_ref.py - GStreamer's own RTSP server (gst-rtsp-server, through
Python gi) serving an Annex B file on 127.0.0.1: the reference the RTSP
suite compares our server's DESCRIBE/SETUP/PLAY with (rtsp_probe.py shape).
Run by /usr/bin/python3, which sees Debian's gi modules.

    gst_rtsp_ref.py PORT PATH FILE h264|h265 SECONDS
"""
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path, src, codec, secs = sys.argv[1:6]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch('( filesrc location=%s ! %sparse ! rtp%spay name=pay0 pt=96 '
                   'config-interval=-1 )' % (src, codec, codec))
factory.set_shared(True)
server.get_mount_points().add_factory('/' + path, factory)
server.attach(None)
loop = GLib.MainLoop()
GLib.timeout_add_seconds(int(secs), loop.quit)
loop.run()
