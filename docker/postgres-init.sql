-- One database per app (SPEC §5).
CREATE DATABASE gateway;
CREATE DATABASE credit_store;
