domain  = "meet.example.com"
zone_id = "Z0123456789ABCDEFGHIJ"

ingress_load_balancers = {
  "eu-west-1" = { dns_name = "a1b2c3.elb.eu-west-1.amazonaws.com", zone_id = "Z32O12XQLNTSW2", geo_continent = "*" }
  "us-east-1" = { dns_name = "d4e5f6.elb.us-east-1.amazonaws.com", zone_id = "Z35SXDOTRQ7X7K", geo_continent = "NA" }
}
