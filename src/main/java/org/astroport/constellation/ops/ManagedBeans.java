package org.astroport.constellation.ops;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Our MBeans, under one JMX domain, registered while the CamelContext runs. */
public class ManagedBeans extends ServiceSupport {

    public static final String DOMAIN = "org.astroport.constellation";
    private static final Logger LOG = LoggerFactory.getLogger(ManagedBeans.class);

    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public synchronized void add(String keyProperties, Object mbean) {
        beans.put(keyProperties, mbean);
        if (isStarted()) {
            register(keyProperties, mbean);
        }
    }

    public synchronized void remove(String keyProperties) {
        beans.remove(keyProperties);
        unregister(keyProperties);
    }

    @Override
    protected synchronized void doStart() {
        beans.forEach(this::register);
    }

    @Override
    protected synchronized void doStop() {
        beans.keySet().forEach(this::unregister);
    }

    private void register(String keys, Object mbean) {
        try {
            ObjectName name = new ObjectName(DOMAIN + ":" + keys);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(mbean, name);
        } catch (Exception e) {
            LOG.warn("cannot register MBean {}: {}", keys, e.toString());
        }
    }

    private void unregister(String keys) {
        try {
            ObjectName name = new ObjectName(DOMAIN + ":" + keys);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (Exception e) {
            LOG.debug("unregister {}: {}", keys, e.toString());
        }
    }
}
