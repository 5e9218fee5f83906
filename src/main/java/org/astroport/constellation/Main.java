package org.astroport.constellation;
public class Main { public static void main(String[] a) throws Exception { new org.apache.camel.main.Main().run(a); } }
