# An EKS cluster with two managed node groups: "control" in private subnets for room-api and Prosody,
# and "bridges" in public subnets with public addresses and the media and TURN ports open.
data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = each.value
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn
  tags     = var.tags

  vpc_config {
    subnet_ids              = concat(var.private_subnet_ids, var.public_subnet_ids)
    endpoint_private_access = true
    endpoint_public_access  = true
  }

  depends_on = [aws_iam_role_policy_attachment.cluster]
}

# Media reaches the bridges directly: UDP media and TURN from anywhere, on bridge nodes only.
resource "aws_security_group" "bridges" {
  name        = "${var.name}-bridges"
  description = "openmeet bridge and TURN nodes: media and TURN from the internet"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "jvb_media" {
  security_group_id = aws_security_group.bridges.id
  description       = "JVB media (ICE/DTLS/SRTP)"
  ip_protocol       = "udp"
  from_port         = var.jvb_media_port
  to_port           = var.jvb_media_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "turn" {
  for_each = toset(["udp", "tcp"])

  security_group_id = aws_security_group.bridges.id
  description       = "TURN listening port (${each.value})"
  ip_protocol       = each.value
  from_port         = var.turn_port
  to_port           = var.turn_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "turn_relay" {
  security_group_id = aws_security_group.bridges.id
  description       = "TURN relay ports"
  ip_protocol       = "udp"
  from_port         = var.turn_relay_ports.min
  to_port           = var.turn_relay_ports.max
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "bridges_all" {
  security_group_id = aws_security_group.bridges.id
  description       = "Media to browsers, XMPP to Prosody, STUN"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_launch_template" "bridges" {
  name_prefix            = "${var.name}-bridges-"
  vpc_security_group_ids = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, aws_security_group.bridges.id]
  tags                   = var.tags

  metadata_options {
    # The bridges' AWS harvester reads the public address from instance metadata.
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

resource "aws_eks_node_group" "control" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "control"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.private_subnet_ids
  instance_types  = var.control_node_group.instance_types
  labels          = { "openmeet.io/node-group" = "control" }
  tags            = var.tags

  scaling_config {
    min_size     = var.control_node_group.min_size
    desired_size = var.control_node_group.desired_size
    max_size     = var.control_node_group.max_size
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

resource "aws_eks_node_group" "bridges" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "bridges"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.public_subnet_ids
  instance_types  = var.bridge_node_group.instance_types
  labels          = { "openmeet.io/node-group" = "bridges" }
  tags            = var.tags

  launch_template {
    id      = aws_launch_template.bridges.id
    version = aws_launch_template.bridges.latest_version
  }

  scaling_config {
    min_size     = var.bridge_node_group.min_size
    desired_size = var.bridge_node_group.desired_size
    max_size     = var.bridge_node_group.max_size
  }

  # Only bridges and TURN (which tolerate this taint) run here.
  taint {
    key    = "openmeet.io/bridges"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}
