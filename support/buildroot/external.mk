include $(sort $(wildcard $(BR2_EXTERNAL_CVMMAP_STREAMER_PATH)/package/*/*.mk))
