variable "name" {
  type        = string
  description = "Cluster name, e.g. openmeet-eu-west-1."
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version (the chart needs 1.25 or later)."
  default     = "1.31"
}

variable "vpc_id" {
  type        = string
  description = "VPC the cluster runs in (vpc module output vpc_id)."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the control plane node group (vpc module output private_subnet_ids)."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Subnets of the bridge node group, whose nodes get public addresses (vpc module output public_subnet_ids)."
}

variable "control_node_group" {
  type = object({
    instance_types = list(string)
    min_size       = number
    desired_size   = number
    max_size       = number
  })
  description = "Nodes for room-api and Prosody (label openmeet.io/node-group=control)."

  default = {
    instance_types = ["c6i.xlarge"]
    min_size       = 2
    desired_size   = 3
    max_size       = 10
  }
}

variable "bridge_node_group" {
  type = object({
    instance_types = list(string)
    min_size       = number
    desired_size   = number
    max_size       = number
  })
  description = "Nodes for the JVB pool and coturn: one bridge per node, tainted openmeet.io/bridges."

  default = {
    instance_types = ["c6in.2xlarge"]
    min_size       = 2
    desired_size   = 3
    max_size       = 20
  }
}

variable "jvb_media_port" {
  type        = number
  description = "UDP port of the bridges (Helm value jvb.mediaPort), opened to the internet on bridge nodes."
  default     = 10000
}

variable "turn_port" {
  type        = number
  description = "TURN listening port, UDP and TCP (Helm value coturn.port)."
  default     = 3478
}

variable "turn_relay_ports" {
  type = object({
    min = number
    max = number
  })
  description = "TURN relay port range (Helm values coturn.relayPortRange.min/max): one port per relayed browser connection."

  default = {
    min = 49152
    max = 51151
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
